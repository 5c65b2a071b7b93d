/**
 * The validating scanner accepts exactly what JSON.parse accepts, and the Tweet Catcher fast path (one scan, no
 * JSON.parse) decodes every frame exactly as the JSON.parse path does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { isJson } from '../../src/json/scan.js';
import { envelopeLine } from '../../src/output/envelope.js';
import { parseFrame, scanEvent, scanEventBytes, toEvent } from '../../src/providers/tweetcatcher/messages.js';
import type { TailEvent } from '../../src/types.js';
import { ROOT } from '../helpers/evtail.js';

const T = '2026-11-22T18:00:00.123Z';

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const tricky = [
  '{}', '[]', '""', '0', '-0', '1.10', '1e400', '-1E-7', '1e+2', 'true', 'false', 'null', ' {"a" : [ 1 , 2 ] } ',
  '"\\u00e9\\n\\"\\\\\\/\\b\\f\\r\\t"', '"\ud800"', '{"a":{"b":[{"c":null}]}}',
  // rejected by JSON.parse:
  '', ' ', '01', '1.', '.5', '+1', '1e', '-', '--1', '[1,]', '{"a":1,}', '{a:1}', "{'a':1}", '"\\x"', '"\\u12"', '"a\nb"',
  '[1 2]', '{"a" 1}', 'tru', 'nul', 'True', '{"a":1}}', '[[]', 'NaN', 'Infinity', '"', '\u00a0{}', '{"a":1} x', '1 2',
];

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('the validating scanner', () => {
  test.each(tricky)('%j: accepted exactly when JSON.parse accepts it', (text) => {
    expect(isJson(text)).toBe(parses(text));
  });

  test('10 000 mutations of real frames: accepted exactly when JSON.parse accepts them', () => {
    const frames = Object.values(JSON.parse(readFileSync(`${ROOT}/fixtures/tweetcatcher/frames.json`, 'utf8')) as Record<string, string>);
    // Long strings too: past their first characters the scanner reads them with a RegExp run.
    frames.push(`{"op":0,"d":{"text":"${'lorem ipsum '.repeat(8)}\\"q\\" caf\\u00e9 ${'dolor '.repeat(8)}","n":[1.5,-2e3]}}`);
    // Lists of flat records and arrays of primitives (read whole by a RegExp run), spaced and compact, as 10 KB posts
    // carry them.
    const entity = (k: number) => `{"kind":"url","start":${k * 7},"end":${-k}.5e-3,"id":"179000000000000000${k}","ok":${k % 2 ? 'true' : 'null'},"text":"caf\u00e9 \\"q\\" #${k}"}`;
    frames.push(`{"op":0,"d":{"event":"e","data":{"entities":[${[0, 1, 2].map(entity).join(',')}],"tags":["a","b",1,false],"m":[[1,2],[],{}]}}}`);
    frames.push(`{"op":0,"d":{"entities" : [ ${[3, 4].map((k) => entity(k).replace(/,/g, ' , ').replace(/:/g, ' :\t')).join(' ,\n ')} ] , "n" : [ 0 , -0.0 , 1E+2 ] }}`);
    const next = rng(15);
    const alphabet = '{}[]",:\\0123456789.eE+-tfnul \n\tabc\u00e9';
    let accepted = 0;
    for (let n = 0; n < 10_000; n++) {
      let text = frames[Math.floor(next() * frames.length)]!;
      for (let m = 0; m < 1 + Math.floor(next() * 2); m++) {
        const at = Math.floor(next() * (text.length + 1));
        const op = next();
        const ch = alphabet[Math.floor(next() * alphabet.length)]!;
        text = op < 0.4 ? text.slice(0, at) + text.slice(at + 1) : op < 0.8 ? text.slice(0, at) + ch + text.slice(at) : text.slice(0, at) + ch + text.slice(at + 1);
      }
      const ok = parses(text);
      if (ok) accepted++;
      if (isJson(text) !== ok) throw new Error(`disagrees with JSON.parse on ${JSON.stringify(text)}`);
    }
    expect(accepted).toBeGreaterThan(100); // the corpus holds valid frames too, not only broken ones
  });

  test.each([
    '[{"a":1,}]', '[{"a":01}]', '[1,]', '[[1,2,]]', '[{"a":"\u0001"}]', '[{"a":"\\x"}]', '[{"a":"\\u00g0"}]', '[{"a":1}{"b":2}]',
    '[["a",tru]]', '[{"a" 1}]', '[{,}]', '[[,1]]', '[{"a":1.}]', '[[1 2]]', '[{"a":"b"]]', '[[1}]', '[{"a":[1]}]', '[[1,[2]]]',
    '[ { "a" : 1 , "b" : "c" } , { } ]', '[[ -1.5e3 , "x" , true , false , null ]]', '[{"a":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00E9"}]',
  ])('flat containers in a list, %j: accepted exactly when JSON.parse accepts it', (text) => {
    expect(isJson(text)).toBe(parses(text));
  });

  test('a flat container of a million members (past what the RegExp engine can hold) is still read, and checked', () => {
    const members = Array.from({ length: 1_000_000 }, (_, i) => `"k${i}":${i}`).join(',');
    expect(isJson(`[{${members}}]`)).toBe(true);
    expect(isJson(`[{${members},}]`)).toBe(false);
  });

  test('deep nesting is validated without recursion', () => {
    expect(isJson('['.repeat(200_000) + ']'.repeat(200_000))).toBe(true);
    expect(isJson('['.repeat(200_000) + ']'.repeat(199_999))).toBe(false);
  });
});

function slowPath(text: string): TailEvent | { error: string } | undefined {
  const p = parseFrame(text);
  if (!p.ok || p.frame.op !== 0) return undefined;
  return toEvent((p.frame as { d?: unknown }).d, T, text);
}

describe('Tweet Catcher: one scan or JSON.parse, the same event', () => {
  const cases = [
    '{"op":0,"d":{"event":"e","event_id":1729384756123456789,"x":1.10}}',
    '{"op":0,"d":{"event":"","task":{"reason":"follow"},"event_id":"a\\"b"}}',
    '{"op":0,"d":{"task":[1],"event_id":null}}',
    '{"op":0,"d":{"event_id":true}}',
    '{"op":0,"d":{"event_id":{"a": 1}}}',
    '{"op":0,"d":{"event":"a"},"d":{"event":"b"}}',
    '{"op":0,"d":{"event":"a"},"d":[1]}',
    '{"\\u006fp":0,"\\u0064":{"\\u0065vent":"esc"}}',
    '{ "op" : 0 ,\n "d" : {\n "event" : "spaced", "n": 1e400 }\n}',
    '{"op":0,"d":"text"}',
    '{"op":0}',
    '{"op":0,"d":null}',
  ];
  test.each(cases)('%s', (text) => {
    const fast = scanEvent(text, T);
    const slow = slowPath(text);
    expect(fast).toBeDefined();
    if (!fast || !slow || 'error' in fast || 'error' in slow) return expect(fast).toEqual(slow);
    expect(envelopeLine(fast)).toBe(envelopeLine(slow));
    expect(fast.data).toEqual(slow.data);
    // JSON.stringify(ev) goes through toJSON, which carries data (a prototype accessor) too.
    expect((fast as unknown as { toJSON(): unknown }).toJSON()).toMatchObject({ type: slow.type, data: slow.data, json: slow.json });
  });

  test('large frames read from their bytes (latin1 image, payload bytes copied) give the event read from their text: 3,000 mutations', () => {
    const pad = `"text":"café \\"q\\" 😀 中文 ${'lorem ipsum '.repeat(170)}"`;
    const bases = [
      `{"op":0,"d":{"event":"twitter.post.new","event_id":1729384756123456789,"data":{"id":1729384756123456789,"big":1e400,"neg":-0,"p":1.10,${pad},"entities":[{"a":1,"t":"é"},{"b":[1,2]}]}}}`,
      `{"op":0,"d":{"event":"twïtter.\\u00f1","event_id":"id-é-\\u00e9","data":{${pad}}}}`,
      `{"op":0,"d":{"task":{"reason":"föllow"},"event_id":{"k":"é", "n":[1, 2]},"data":{${pad}}}}`,
      `{ "op" : 0 , "d" : { "event" : "spaced" , "data" : { ${pad} } } }`,
      `{"op":0,"d":{"event":"lines",\n"data":{\n  ${pad}\n}}}`,
      `{"op":0,"d":[${pad.slice(7)}]}`,
      `{"op":0,"d":"${'x'.repeat(3000)}"}`,
      `{"op":1,"d":{${pad}}}`,
    ];
    const next = rng(1515);
    const alphabet = '{}[]",:\\0123456789.eE+-tfnul \n\tabcé😀';
    let fromBytesCount = 0;
    for (let n = 0; n < 3000; n++) {
      let text = bases[n % bases.length]!;
      if (n >= bases.length) {
        for (let m = 0; m < 1 + Math.floor(next() * 2); m++) {
          const at = Math.floor(next() * (text.length + 1));
          const ch = alphabet[Math.floor(next() * alphabet.length)]!;
          const op = next();
          text = op < 0.4 ? text.slice(0, at) + text.slice(at + 1) : op < 0.8 ? text.slice(0, at) + ch + text.slice(at) : text.slice(0, at) + ch + text.slice(at + 1);
        }
      }
      // What ws hands over: valid UTF-8 (a mutation that split a surrogate pair is sent as U+FFFD).
      const bytes = Buffer.from(text);
      text = bytes.toString();
      const fromText = scanEvent(text, T);
      const fromBytes = scanEventBytes(bytes, T);
      if (fromBytes === undefined) {
        // Left to the text path: not an event the scan reads, or a payload on several lines (compacted there).
        if (fromText && !('error' in fromText)) expect(/[\n\r]/.test(fromText.raw!)).toBe(true);
        continue;
      }
      fromBytesCount++;
      if (!fromText || 'error' in fromText) throw new Error(`read from the bytes only: ${JSON.stringify(text)}`);
      if (envelopeLine(fromBytes) !== envelopeLine(fromText)) throw new Error(`differs on ${JSON.stringify(text)}:\n${envelopeLine(fromBytes)}\n${envelopeLine(fromText)}`);
      expect(fromBytes.jsonBytes.toString()).toBe(fromText.json);
      expect(fromBytes.raw).toBe(text);
      expect(fromBytes.data).toEqual(fromText.data);
    }
    expect(fromBytesCount).toBeGreaterThan(200);
  });

  test('other ops and broken frames are left to JSON.parse', () => {
    expect(scanEvent('{"op":11}', T)).toBeUndefined();
    expect(scanEvent('{"op":0.0,"d":{}}', T)).toBeUndefined();
    expect(scanEvent('{"op":0,"d":{', T)).toBeUndefined();
    expect(scanEvent(`{"op":0,"d":{"pad":"${'x'.repeat(5000)}\u0001"}}`, T)).toBeUndefined();
  });

  test('long strings (read by a RegExp run past their first characters) decode the same both ways', () => {
    for (const pad of ['x'.repeat(5000), `${'é'.repeat(40)}\\n\\"${'y'.repeat(100)}\\u00e9`, '\\'.repeat(64)]) {
      const long = `{"op":0,"d":{"event":"e${pad}","event_id":1729384756123456789,"pad":"${pad}"}}`;
      const fast = scanEvent(long, T) as TailEvent;
      const slow = slowPath(long) as TailEvent;
      expect(fast.type).toBe(slow.type);
      expect(fast.id).toBe('1729384756123456789');
      expect(fast.json).toBe(long.slice(12, -1));
      expect(envelopeLine(fast)).toBe(envelopeLine(slow));
    }
    const broken = `{"op":0,"d":{"pad":"${'x'.repeat(100)}\n"}}`;
    expect(scanEvent(broken, T)).toBeUndefined();
    expect(isJson(broken)).toBe(false);
  });
});
