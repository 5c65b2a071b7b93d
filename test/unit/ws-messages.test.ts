/** `evtail ws`: frames → envelopes, header parsing and which headers are secrets, summaries. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { UsageError } from '../../src/errors.js';
import {
  decode,
  decodeBinary,
  decodeText,
  headerSecrets,
  isSecretHeader,
  parseHeader,
  parseHeaders,
  splitPath,
  summarize,
  typePathsFrom,
} from '../../src/providers/ws/messages.js';
import { ROOT } from '../helpers/evtail.js';

interface FrameCase {
  name: string;
  frame: string;
  type: string;
  id?: string;
  text?: boolean;
}

const cases = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/ws/frames.json'), 'utf8')) as FrameCase[];
const defaults = { typePaths: typePathsFrom(undefined) };

describe('ws frames', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const ev = decodeText(c.frame, defaults, '2026-01-01T00:00:00.000Z');
    expect(ev.provider).toBe('ws');
    expect(ev.type).toBe(c.type);
    expect(ev.id).toBe(c.id);
    expect(ev.raw).toBe(c.frame);
    if (c.text) expect(ev.data).toBe(c.frame);
    else expect(ev.data).toEqual(JSON.parse(c.frame));
  });

  test('--type-path: nested fields and array indexes; a missing path gives "message"', () => {
    const byKind = { typePaths: typePathsFrom('payload.kind') };
    expect(decodeText('{"type":"outer","payload":{"kind":"inner"}}', byKind).type).toBe('inner');
    expect(decodeText('{"type":"outer","payload":{}}', byKind).type).toBe('message');
    expect(decodeText('{"payload":"not an object"}', byKind).type).toBe('message');
    expect(decodeText('{"items":[{"kind":"first"}]}', { typePaths: typePathsFrom('items.0.kind') }).type).toBe('first');
    // With a path given, the defaults are not tried.
    expect(decodeText('{"type":"t"}', { typePaths: typePathsFrom('kind') }).type).toBe('message');
  });

  test('a bad --type-path is a usage error', () => {
    expect(() => splitPath('a..b')).toThrow(UsageError);
    expect(() => typePathsFrom('.a')).toThrow(/not a dotted path/);
  });

  test('binary frames: type binary, the bytes in base64', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const ev = decodeBinary(bytes);
    expect(ev.type).toBe('binary');
    expect(Buffer.from(ev.data as string, 'base64')).toEqual(bytes);
    expect(summarize(ev)).toBe('5 bytes: AAEC+v8=');
  });

  test('decode(frame) for replay uses the same rules', () => {
    expect(decode('{"event":"x","id":"1"}')).toMatchObject({ type: 'x', id: '1' });
    expect(decode('{"a":{"b":"deep"}}', 'a.b').type).toBe('deep');
    expect(decode('plain').data).toBe('plain');
  });
});

describe('ws headers', () => {
  test('Name: value and Name:value; values trimmed', () => {
    expect(parseHeader('Authorization: Bearer abc')).toEqual(['Authorization', 'Bearer abc']);
    expect(parseHeader('X-Trace:abc')).toEqual(['X-Trace', 'abc']);
    expect(parseHeader('X-Empty:')).toEqual(['X-Empty', '']);
    expect(parseHeader('X-Url: http://a:b@c/')).toEqual(['X-Url', 'http://a:b@c/']);
  });

  test.each(['no colon', ': value', 'Bad Name: x', 'Naïve: x', ''])('rejects %j', (text) => {
    expect(() => parseHeader(text)).toThrow(UsageError);
  });

  test('repeated names are joined', () => {
    expect(parseHeaders(['X-A: 1', 'x-a: 2', 'X-B: 3'])).toEqual({ 'X-A': '1, 2', 'X-B': '3' });
    expect(parseHeaders(undefined)).toEqual({});
  });

  test.each([
    ['Authorization', true],
    ['Proxy-Authorization', true],
    ['Cookie', true],
    ['X-Api-Key', true],
    ['api_key', true],
    ['X-Auth-Token', true],
    ['Sec-Token-Id', true],
    ['X-Client-Secret', true],
    ['X-Trace', false],
    ['User-Agent', false],
    ['Origin', false],
    ['X-Keyboard', false],
  ] as const)('%s secret: %s', (name, secret) => {
    expect(isSecretHeader(name)).toBe(secret);
  });

  test('secrets: whole values, the credential after a scheme, cookie values', () => {
    expect(headerSecrets(['Authorization: Bearer abc.def.ghi', 'X-Trace: visible', 'Cookie: sid=s3ss10n; theme=dark', 'X-Api-Key: k-123', 'broken'])).toEqual([
      'Bearer abc.def.ghi',
      'abc.def.ghi',
      'sid=s3ss10n; theme=dark',
      's3ss10n',
      'dark',
      'k-123',
    ]);
  });
});

describe('ws summaries', () => {
  const ev = (frame: string) => decodeText(frame, defaults);
  test('JSON: without the type and id already shown; a lone payload shows just the payload', () => {
    expect(summarize(ev('{"type":"trade","id":"T-1","price":10.5}'))).toBe('#T-1 {"price":10.5}');
    expect(summarize(ev('{"type":"tick","data":{"n":1}}'))).toBe('{"n":1}');
    expect(summarize(ev('{"event":"heartbeat"}'))).toBe('');
  });
  test('text is shown as it is', () => {
    expect(summarize(ev('hello there'))).toBe('hello there');
  });
});
