/** Push: frame decoding, the registerUser reply, the envelope, the pretty summary, the URL and the close-code table. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { AuthError } from '../../src/errors.js';
import { classifyClose } from '../../src/providers/push/driver.js';
import { parseRegisterReply, pushUrl, summarize, toEvent } from '../../src/providers/push/messages.js';
import { parseScFrame } from '../../src/transport/sc-codec.js';
import { ROOT } from '../helpers/evtail.js';

const URN = 'b548ea75c1c-36d92a5f';
const T = '2026-11-22T20:00:00.000Z';
const fixture = (name: string) => readFileSync(path.join(ROOT, 'fixtures/push', name), 'utf8');

/** The message inside the first #publish packet of a fixture frame. */
function published(name: string, index = 0): unknown {
  const d = parseScFrame(fixture(name));
  if (!d.ok) throw new Error(`${name} did not decode: ${d.reason}`);
  const p = d.items[index]!;
  expect(p.kind).toBe('publish');
  return p.kind === 'publish' ? p.data : undefined;
}

describe('the SocketCluster codec on Push frames (the one parser of the live link and of replay)', () => {
  test('answers and events decode to packets', () => {
    const hs = parseScFrame(fixture('handshake-reply.json'));
    expect(hs).toMatchObject({ ok: true, items: [{ kind: 'response', rid: 1, data: { pingTimeout: 20000 } }] });
    const pub = parseScFrame(fixture('publish-text.json'));
    expect(pub).toMatchObject({ ok: true, items: [{ kind: 'publish', channel: URN }] });
  });

  test('a frame may be a JSON array of packets', () => {
    const d = parseScFrame(fixture('publish-batch.json'));
    expect(d.ok && d.items.length).toBe(2);
  });

  test('garbage and non-packets are reported with a reason', () => {
    expect(parseScFrame(fixture('malformed.txt'))).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseScFrame(fixture('not-a-packet.json'))).toEqual({ ok: false, reason: 'not a SocketCluster packet' });
    expect(parseScFrame('[]')).toEqual({ ok: false, reason: 'not a SocketCluster packet' });
  });
});

describe('parseRegisterReply', () => {
  test('the JSON string Push sends', () => {
    const d = parseScFrame(fixture('register-reply.json'));
    const item = d.ok ? d.items[0] : undefined;
    const reply = item?.kind === 'response' ? item.data : undefined;
    expect(typeof reply).toBe('string');
    expect(parseRegisterReply(reply)).toEqual({ urn: URN });
  });

  test('an object with an urn is accepted too', () => {
    expect(parseRegisterReply({ urn: 'x-1' })).toEqual({ urn: 'x-1' });
  });

  test('no urn, an empty urn or not JSON is a refusal', () => {
    expect(parseRegisterReply('{"error":"the channel is not active"}')).toEqual({ error: expect.stringMatching(/without an urn: \{"error":"the channel is not active"\}/) });
    expect(parseRegisterReply('{"urn":""}')).toHaveProperty('error');
    expect(parseRegisterReply('Internal Server Error')).toEqual({ error: expect.stringMatching(/not JSON/) });
    expect(parseRegisterReply(undefined)).toHaveProperty('error');
  });
});

describe('toEvent', () => {
  test('a message to our urn: type "message", channel = urn, id from the message, data unchanged', () => {
    const msg = published('publish-text.json');
    const c = toEvent(msg, URN, T, 'RAW');
    expect(c).toEqual({ event: { time: T, provider: 'push', type: 'message', id: 'push-1', channel: URN, data: msg, raw: 'RAW' } });
  });

  test("the message's own type wins; a nested message id is used", () => {
    const c = toEvent(published('publish-nested.json'), URN, T);
    expect(c).toMatchObject({ event: { type: 'message', id: 'wamid.4711' } });
    const typed = toEvent({ type: 'typing', to: URN }, URN, T);
    expect(typed).toMatchObject({ event: { type: 'typing' } });
    expect('event' in typed && typed.event.id).toBe(undefined);
  });

  test('messages for another urn, or without "to", are skipped', () => {
    expect(toEvent(published('publish-batch.json', 1), URN, T)).toEqual({ skip: 'addressed to 0c2a9e71f4d-8b1e2c3d' });
    expect(toEvent(published('publish-without-to.json'), URN, T)).toEqual({ skip: 'without a "to"' });
  });

  test('a message that is not an object does not decode', () => {
    expect(toEvent('hello', URN, T)).toEqual({ error: 'a message that is not a JSON object' });
    expect(toEvent(null, URN, T)).toHaveProperty('error');
  });
});

describe('summarize', () => {
  const ev = (data: unknown) => ({ time: T, provider: 'push', type: 'message', channel: URN, data });

  test('the text, then the quick replies', () => {
    expect(summarize(ev(published('publish-text.json')))).toBe('Push demo bot: You said: hi');
    expect(summarize(ev(published('publish-quick-replies.json')))).toBe('Push demo bot: Hi! I am the Push demo assistant. How can I help you today?  [Track my order | Opening hours | Talk to a human]');
  });

  test('nested messages and quick replies given as objects', () => {
    expect(summarize(ev(published('publish-nested.json')))).toBe('weni: Choose an option  [Sales | Support]');
  });

  test('quick replies alone, an attachment, nothing to say', () => {
    expect(summarize(ev({ to: URN, quick_replies: ['Yes', 'No'] }))).toBe('[Yes | No]');
    expect(summarize(ev({ to: URN, attachments: [{ url: 'https://x/y.png' }] }))).toBe('[attachment]');
    expect(summarize(ev({ to: URN }))).toBe('');
  });
});

describe('pushUrl', () => {
  test('the default endpoint from --host, --channel-uuid and --host-api', () => {
    expect(pushUrl({ host: 'push.example.com', channelUuid: 'u-1', hostApi: 'https://api.example.com' }).href).toBe('wss://push.example.com/socketcluster/?channelUUID=u-1&hostApi=https%3A%2F%2Fapi.example.com');
  });

  test('a host given with a scheme or a port keeps it', () => {
    expect(pushUrl({ host: 'https://push.example.com', channelUuid: 'u' , hostApi: 'h' }).href).toBe('wss://push.example.com/socketcluster/?channelUUID=u&hostApi=h');
    expect(pushUrl({ host: 'http://localhost:8102', channelUuid: 'u', hostApi: 'h' }).href).toBe('ws://localhost:8102/socketcluster/?channelUUID=u&hostApi=h');
    expect(pushUrl({ host: 'push.example.com:8443', channelUuid: 'u', hostApi: 'h' }).host).toBe('push.example.com:8443');
  });

  test('--url keeps its query and gains what it lacks', () => {
    expect(pushUrl({ url: 'ws://127.0.0.1:9/socketcluster/?channelUUID=from-url', channelUuid: 'opt', hostApi: 'h' }).href).toBe('ws://127.0.0.1:9/socketcluster/?channelUUID=from-url&hostApi=h');
    expect(pushUrl({ url: 'ws://127.0.0.1:9/custom/path' }).href).toBe('ws://127.0.0.1:9/custom/path');
  });
});

describe('classifyClose', () => {
  test('ping and pong timeouts reconnect at once', () => {
    expect(classifyClose(4000, '')).toEqual({ recovery: 'retry', reason: 'closed with code 4000 (server ping timed out)', code: 4000, immediate: true });
    expect(classifyClose(4001, '')).toMatchObject({ recovery: 'retry', immediate: true, code: 4001 });
  });

  test('handshake failures are retried within the budget (not at once)', () => {
    for (const code of [4003, 4005, 4007]) {
      const o = classifyClose(code, '');
      expect(o).toMatchObject({ recovery: 'retry', code });
      expect(o).not.toHaveProperty('immediate');
    }
  });

  test('1000 ends the stream; a rejected handshake is an auth refusal; anything else is retried', () => {
    expect(classifyClose(1000, 'bye')).toEqual({ recovery: 'done', reason: 'closed with code 1000 (normal closure): bye' });
    const rejected = classifyClose(4008, '');
    expect(rejected.recovery === 'fatal' && rejected.error).toBeInstanceOf(AuthError);
    expect(classifyClose(1006, '')).toMatchObject({ recovery: 'retry', code: 1006 });
    expect(classifyClose(1011, 'oops')).toMatchObject({ recovery: 'retry', reason: 'closed with code 1011: oops' });
  });
});
