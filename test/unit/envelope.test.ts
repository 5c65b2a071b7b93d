/**
 * The envelope serialisation: `data` is the payload's own JSON text, for every provider's decoder; ids keep their
 * digits; --match compares numbers by their text; pretty shows the digits.
 */
import { describe, expect, test } from '@jest/globals';
import { envelopeLine } from '../../src/output/envelope.js';
import { toNdjson } from '../../src/output/ndjson-printer.js';
import { PrettyPrinter } from '../../src/output/pretty-printer.js';
import { compact, spanAt, textAt } from '../../src/json/spans.js';
import { compareDecimal } from '../../src/filter/decimal.js';
import { parseExpression } from '../../src/filter/expression.js';
import type { FrameDecoder } from '../../src/providers/spec.js';
import type { TailEvent } from '../../src/types.js';
import * as tweetcatcher from '../../src/providers/tweetcatcher/messages.js';
import * as doshii from '../../src/providers/doshii/messages.js';
import * as push from '../../src/providers/push/messages.js';
import * as weni from '../../src/providers/push/weni-messages.js';
import * as streamelements from '../../src/providers/streamelements/messages.js';
import * as webinate from '../../src/providers/webinate/messages.js';
import * as ws from '../../src/providers/ws/messages.js';
import * as socketcluster from '../../src/providers/socketcluster/messages.js';

const T = '2026-11-22T20:00:00.000Z';
const BIG = '1729384756123456789';
/** Digits beyond 2^53, an exponent past a double's range, -0, a trailing zero, an escape, keys out of order. */
const PAYLOAD = `{"zeta":${BIG},"id":${BIG},"big":1e400,"neg":-0,"price":1.10,"name":"caf\\u00e9","alpha":[1E3,{"y":2,"x":1}]}`;

function events(r: ReturnType<FrameDecoder>): TailEvent[] {
  if (r.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(r)}`);
  return r.events;
}

/** For each provider: the frames a replay decoder needs to print one event whose payload is `payload`. */
const cases: [string, (payload: string) => TailEvent[]][] = [
  ['tweetcatcher', (p) => events(tweetcatcher.createDecoder()('in', `{"op":0,"d":{"event":"twitter.post.new","event_id":${BIG},"payload":${p}}}`, T))],
  ['doshii (emit)', (p) => events(doshii.createDecoder()('in', `{"emit":["order_created",${p}]}`, T))],
  ['doshii (event/data)', (p) => events(doshii.createDecoder()('in', `{"event":"order_created","data":${p}}`, T))],
  ['doshii (wrapped string)', (p) => events(doshii.createDecoder()('in', JSON.stringify({ type: 'message', data: `{"emit":["order_created",${p}]}` }), T))],
  [
    'push',
    (p) => {
      const d = push.createDecoder();
      d('out', '{"event":"#subscribe","data":{"channel":"urn:u"},"cid":3}', T);
      return events(d('in', `{"event":"#publish","data":{"channel":"urn:u","data":{"to":"urn:u","id":${BIG},"payload":${p}}}}`, T));
    },
  ],
  ['push --protocol weni', (p) => events(weni.createWeniDecoder({})('in', `{"type":"message","to":"u","message":{"type":"text","messageId":"m1"},"payload":${p}}`, T))],
  ['streamelements', (p) => events(streamelements.createDecoder({})('in', `{"id":"01M8","type":"message","topic":"channel.tips","data":${p}}`, T))],
  ['webinate', (p) => events(webinate.createDecoder()('in', `{"type":"Echo","id":${BIG},"payload":${p}}`, T))],
  ['ws', (p) => events(ws.createDecoder({})('in', `{"type":"trade","id":${BIG},"payload":${p}}`, T))],
  ['socketcluster', (p) => events(socketcluster.createDecoder()('in', `[{"event":"#publish","data":{"channel":"c","data":${p}}}]`, T))],
];

describe('data is the payload as sent, for every provider', () => {
  test.each(cases)('%s: NDJSON data is the sent text byte for byte; id keeps its digits', (name, decode) => {
    const [ev] = decode(PAYLOAD);
    const line = envelopeLine(ev!);
    expect(() => JSON.parse(line)).not.toThrow();
    const data = line.slice(line.indexOf(',"data":') + 8, -1);
    // Providers whose payload is the whole message carry PAYLOAD under "payload"; the others carry it as data.
    expect(data === PAYLOAD || textAt(data, ['payload']) === PAYLOAD).toBe(true);
    if (ev!.id !== undefined && !name.includes('weni') && !name.includes('streamelements')) expect(ev!.id).toBe(BIG);
  });

  test('a pretty-printed payload is compacted (one line per event), strings untouched', () => {
    const [ev] = events(ws.createDecoder({})('in', '{\n  "type": "t",\n  "text": "a  b",\n  "n": 1.10\n}\n', T));
    expect(envelopeLine(ev!)).toBe(`{"time":"${T}","provider":"ws","type":"t","data":{"type":"t","text":"a  b","n":1.10}}`);
  });

  test('a payload evtail builds itself is serialised; the line has no newline, toNdjson adds one', () => {
    const ev: TailEvent = { time: T, provider: 'tweetcatcher', type: 'evtail.connected', data: { attempt: 1 } };
    expect(envelopeLine(ev)).toBe(`{"time":"${T}","provider":"tweetcatcher","type":"evtail.connected","data":{"attempt":1}}`);
    expect(toNdjson(ev)).toBe(envelopeLine(ev) + '\n');
    expect(envelopeLine({ ...ev, time: 'a"b', provider: 'p\n' })).toBe('{"time":"a\\"b","provider":"p\\n","type":"evtail.connected","data":{"attempt":1}}');
    const text = ws.createDecoder({})('in', 'not json', T);
    expect(envelopeLine(events(text)[0]!)).toContain(',"data":"not json"}');
  });
});

describe('--match compares numbers by their text', () => {
  const [ev] = events(ws.createDecoder({})('in', `{"type":"trade","id":${BIG},"n":${BIG},"p":1.10,"e":1e400,"s":"${BIG}","small":42}`, T));
  const m = (expr: string) => parseExpression(expr).test(ev!);
  test('a big integer matches its own digits only', () => {
    expect(m(`data.n=${BIG}`)).toBe(true);
    expect(m('data.n=1729384756123456800')).toBe(false);
    expect(m('data.n!=1729384756123456800')).toBe(true);
    expect(m(`id=${BIG}`)).toBe(true);
    expect(m('id=1729384756123456800')).toBe(false);
    expect(m('data.n>1729384756123456788')).toBe(true);
    expect(m('data.n>1729384756123456789')).toBe(false);
    expect(m('data.s<1729384756123456790')).toBe(true);
    expect(m('data.n~6789$')).toBe(true);
  });
  test('decimals and exponents compare exactly; small integers as before', () => {
    expect(m('data.p=1.1')).toBe(true);
    expect(m('data.p~^1\\.10$')).toBe(true);
    expect(m('data.e>1e308')).toBe(true);
    expect(m('data.e=1e400')).toBe(true);
    expect(m('data.small=42')).toBe(true);
    expect(m('data.small>=42.0')).toBe(true);
    expect(m('data.small<41')).toBe(false);
  });
  test('compareDecimal', () => {
    expect(compareDecimal('-0', '0')).toBe(0);
    expect(compareDecimal('1e3', '1000.00')).toBe(0);
    expect(compareDecimal('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(compareDecimal('-2', '-10')).toBeGreaterThan(0);
    expect(compareDecimal('0.001', '.01')).toBeLessThan(0);
    expect(compareDecimal('+5', '5.')).toBe(0);
  });
});

describe('pretty shows the digits', () => {
  test('the fallback summary is the payload text as sent', () => {
    const [ev] = events(socketcluster.createDecoder()('in', `{"event":"#publish","data":{"channel":"c","data":{"n":${BIG},"p":1.10}}}`, T));
    const line = new PrettyPrinter(() => '', 0).format(ev!);
    expect(line).toContain(`{"n":${BIG},"p":1.10}`);
  });
  test.each([
    ['ws', events(ws.createDecoder({})('in', `{"type":"t","n":${BIG}}`, T))[0]!, ws.summarize],
    ['socketcluster', events(socketcluster.createDecoder()('in', `{"event":"#publish","data":{"channel":"c","data":{"type":"t","n":${BIG}}}}`, T))[0]!, socketcluster.summarize],
    ['doshii', events(doshii.createDecoder()('in', `{"emit":["order_created",{"id":${BIG}}]}`, T))[0]!, doshii.summarize],
  ])('%s summary keeps the digits', (_name, ev, summarize) => {
    expect(summarize(ev)).toContain(BIG);
  });
});

describe('spans of valid JSON', () => {
  test('paths, duplicates, escaped keys, strings with brackets and escaped quotes', () => {
    const t = '{"op":0, "d" : {"a":[1,{"b":"x\\"}]"}],"id":12},"d2":[]}';
    expect(textAt(t, ['d', 'a', 1, 'b'])).toBe('"x\\"}]"');
    expect(textAt(t, ['d', 'a', '0'])).toBe('1');
    expect(textAt(t, ['d', 'id'])).toBe('12');
    expect(textAt(t, ['d', 'nope'])).toBeUndefined();
    expect(textAt(t, ['d2', 0])).toBeUndefined();
    expect(textAt('{"a":1,"a":2}', ['a'])).toBe('2');
    expect(textAt('{"\\u0061":3}', ['a'])).toBe('3');
    expect(spanAt('{"a":', ['a'])).toBeUndefined();
    expect(compact('{ "a" : [ 1 ,\t2 ],\r\n "b": "x  y" }')).toBe('{"a":[1,2],"b":"x  y"}');
  });
  test('deep nesting does not overflow the stack', () => {
    const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)},"b":1}`;
    expect(textAt(deep, ['b'])).toBe('1');
  });
});
