/** StreamElements Astro: decoding recorded frames (fixtures/streamelements) and the pretty summaries. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { withReconnectToken } from '../../src/providers/streamelements/messages.js';
import { maskReconnectToken, parseFrame, reconnectToken, responseMessage, subscribeRequest, summarize, toEvent, type ServerFrame } from '../../src/providers/streamelements/messages.js';
import { isKnownTopic, parseTokenSpecs, seqFromId, ulidWithSeq } from '../../src/providers/streamelements/mock.js';
import { ROOT } from '../helpers/evtail.js';

const lines = (file: string) => readFileSync(path.join(ROOT, 'fixtures/streamelements', file), 'utf8').split('\n').filter((l) => l.trim() !== '');
const frames = lines('frames.jsonl');
const T = '2026-01-01T00:00:00.000Z';

function frameOf(text: string): ServerFrame {
  const p = parseFrame(text);
  if (!p.ok) throw new Error(p.reason);
  return p.frame;
}

/** The envelope of the fixture message with this id. */
function eventById(id: string) {
  const text = frames.find((l) => l.includes(`"id":"${id}"`))!;
  const ev = toEvent(frameOf(text), T, text);
  if ('error' in ev) throw new Error(ev.error);
  return ev;
}

describe('parseFrame', () => {
  test('every recorded frame parses, and its kind is the type in lower case (RESPONSE and response alike)', () => {
    const kinds = frames.map((l) => {
      const p = parseFrame(l);
      expect(p.ok).toBe(true);
      return p.ok ? p.kind : '';
    });
    expect(new Set(kinds)).toEqual(new Set(['welcome', 'response', 'message', 'reconnect']));
    expect(kinds.filter((k) => k === 'response')).toHaveLength(4);
  });

  test.each([
    ['{"id":"01HB0YF39XF16HMHCPDYZYJYFK","type":"message","topic":', 'not JSON'],
    ['[1,2,3]', 'not a JSON object'],
    ['{"id":"01HB0YF39XF16HMHCPDYZYJYFK","ts":"2023-09-23T12:06:25Z","data":{}}', 'no "type"'],
  ])('%s does not decode: %s', (text, reason) => {
    expect(parseFrame(text)).toEqual({ ok: false, reason });
  });

  test('the undecodable fixtures all fail, at parse or at toEvent', () => {
    for (const text of lines('undecodable.jsonl')) {
      const p = parseFrame(text);
      if (!p.ok) continue;
      expect(toEvent(p.frame, T, text)).toEqual({ error: 'message without a "topic"' });
    }
  });

  test('responses: nonce, error and the server message', () => {
    const err = frameOf(frames[3]!);
    expect(err.nonce).toBe('86ccb2b3-eb8d-4b3c-902d-509c3f5ca88c');
    expect(err.error).toBe('err_unauthorized');
    expect(responseMessage(err)).toBe('invalid token');
    const limited = frameOf(frames[4]!);
    expect(limited.nonce).toBeUndefined();
    expect(limited.error).toBe('rate_limit_exceeded');
  });

  test('reconnect carries a token', () => {
    expect(reconnectToken(frameOf(frames.at(-1)!))).toBe('rt_0f8e7d6c5b4a39281706f5e4');
    expect(reconnectToken(frameOf('{"type":"reconnect","data":{}}'))).toBeUndefined();
  });
});

describe('toEvent', () => {
  test('type = topic, id = message id, topic and room set, data unchanged, raw kept', () => {
    const text = frames.find((l) => l.includes('01JMFBZF7KSRDDXXV0EH7G8X6G'))!;
    const ev = toEvent(frameOf(text), T, text);
    expect(ev).toEqual({
      time: T,
      provider: 'streamelements',
      type: 'channel.tips',
      id: '01JMFBZF7KSRDDXXV0EH7G8X6G',
      topic: 'channel.tips',
      room: '5ad23dcc18fff500d78c5348',
      data: JSON.parse(text).data,
      json: JSON.stringify(JSON.parse(text).data),
      raw: text,
    });
  });

  test('a message without a room takes the --room we subscribed with, or has none', () => {
    const text = frames.find((l) => l.includes('01HPPM2TQ6CCMFQGHEN8MM1NN0'))!;
    const withRoom = toEvent(frameOf(text), T, text, 'abc123');
    const without = toEvent(frameOf(text), T, text);
    expect('error' in withRoom ? undefined : withRoom.room).toBe('abc123');
    expect('error' in without ? 'error' : without.room).toBeUndefined();
  });

  test('the seed\'s system message on topic "astro" is an event too', () => {
    const ev = eventById('01HB0YF39XF16HMHCPDYZYJYFK');
    expect(ev.type).toBe('astro');
    expect(summarize(ev)).toBe('Hello world!');
  });
});

describe('summarize', () => {
  test.each([
    ['01HPPM2TQ6CCMFQGHEN8MM1NN0', 'follow · twitch · jtv'],
    ['01HPPM2TQ6CCMFQGHEN8MM1NN1', 'tip · twitch · Styler · 4.20 USD · "Great stream!"'],
    ['01HPPM2TQ6CCMFQGHEN8MM1NN2', 'cheer · twitch · PixelPanda · 500 bits · "Cheer500 hype!"'],
    ['01HPPM2TQ6CCMFQGHEN8MM1NN3', 'subscriber · twitch · Lunaria_GG · 12 months · tier 2000 · "a year already!"'],
    ['01HPPM2TQ6CCMFQGHEN8MM1NN4', 'raid · twitch · c4ldas · 42 viewers'],
    ['01JMFBZF7KSRDDXXV0EH7G8X6G', 'tip · Styler · 4.20 USD'],
    ['01JMFBZF7KSRDDXXV0EH7G8X6H', 'tip moderation · Styler · 10.00 EUR · "please read this" · (pending)'],
    ['01JY3ZPEVXTM7RZ0X7FXP1STCT', 'c4ldas: Test message with emote <3'],
    ['01JY4DRAF64P642FF81DM8YRTX', 'c4ldas: Test message with emote :face-blue-smiling:'],
    ['01JY3XJRP4Y3H571WZ5ZDNDEXK', 'c4ldas: Test message with emote [emote:1579033:emojiAstonished]'],
    ['01HPPM2TQ6CCMFQGHENAPFR4ZE', 'stream status: live'],
  ])('%s → %s', (id, text) => {
    expect(summarize(eventById(id))).toBe(text);
  });

  test('a payload it does not know leaves the printer its JSON fallback', () => {
    expect(summarize({ time: T, provider: 'streamelements', type: 'channel.kvstore.update', topic: 'channel.kvstore.update', data: { key: 'x', value: 1 } })).toBe('');
  });

  test('never throws on odd data', () => {
    for (const data of [null, 42, 'text', [], { type: 5, data: null }, { donation: 'x' }, { isLive: 'maybe' }]) {
      for (const topic of ['channel.activities', 'channel.tips', 'channel.chat.message', 'channel.stream.status', 'other']) {
        expect(() => summarize({ time: T, provider: 'streamelements', type: topic, topic, data })).not.toThrow();
      }
    }
  });
});

describe('requests and secrets', () => {
  test('subscribe request: the documented shape, room only when given, token type as given', () => {
    expect(subscribeRequest('n1', 'channel.tips', 'tok', 'oauth')).toEqual({ type: 'subscribe', nonce: 'n1', data: { topic: 'channel.tips', token: 'tok', token_type: 'oauth' } });
    expect(subscribeRequest('n2', 'channel.tips', 'tok', 'jwt', 'room1').data).toEqual({ topic: 'channel.tips', room: 'room1', token: 'tok', token_type: 'jwt' });
  });

  test('the reconnect token is masked in frames and URLs, nothing else is touched', () => {
    expect(maskReconnectToken(frames.at(-1)!)).toBe('{"id":"01HPPM2TQ6CCMFQGHENAPFR4ZF","ts":"2024-02-15T14:52:43Z","type":"reconnect","data":{"reconnect_token":"***"}}');
    expect(maskReconnectToken('wss://astro.streamelements.com/?a=1&reconnect_token=rt_abc&b=2')).toBe('wss://astro.streamelements.com/?a=1&reconnect_token=***&b=2');
    expect(maskReconnectToken(frames[0]!)).toBe(frames[0]);
  });

  test('the reconnect URL keeps the rest of the URL', () => {
    expect(withReconnectToken('wss://astro.streamelements.com', 'rt_1')).toBe('wss://astro.streamelements.com/?reconnect_token=rt_1');
    expect(withReconnectToken('ws://127.0.0.1:8103/?x=1&reconnect_token=old', 'rt 2')).toBe('ws://127.0.0.1:8103/?x=1&reconnect_token=rt+2');
  });
});

describe('mock helpers', () => {
  test('ids are ULID-shaped and carry the sequence number', () => {
    const id = ulidWithSeq(42, Date.parse('2024-02-15T14:52:42Z'));
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // The time part agrees with the gateway's own ids of that second (01HPPM2TQ6... in the docs).
    expect(id.slice(0, 8)).toBe('01HPPM2T');
    expect(seqFromId(id)).toBe(42);
    expect(ulidWithSeq(1, 0).slice(0, 10)).toBe('0000000000');
  });

  test('token specs: T for every topic, T:a,b for those', () => {
    const m = parseTokenSpecs(['all-access', 'limited:channel.activities,channel.tips']);
    expect(m.get('all-access')).toBe('all');
    expect(m.get('limited')).toEqual(new Set(['channel.activities', 'channel.tips']));
  });

  test('known topics, wildcards by prefix, unknown ones refused', () => {
    expect(isKnownTopic('channel.activities')).toBe(true);
    expect(isKnownTopic('channel.chatbot.timers')).toBe(true);
    expect(isKnownTopic('channel.overlay.update')).toBe(true);
    expect(isKnownTopic('channel.nonsense')).toBe(false);
  });
});
