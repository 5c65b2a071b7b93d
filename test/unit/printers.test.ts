import stringWidth from 'string-width';
import { PassThrough } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import { colourLevel } from '../../src/output/colour.js';
import { toNdjson } from '../../src/output/ndjson-printer.js';
import { createOutput } from '../../src/output/printer.js';
import { PrettyPrinter } from '../../src/output/pretty-printer.js';
import { Sink } from '../../src/output/sink.js';
import { Redactor } from '../../src/redact.js';
import type { TailEvent } from '../../src/types.js';

const ev: TailEvent = { time: '2026-11-22T18:00:00.123Z', provider: 'tweetcatcher', type: 'twitter.post.new', id: 'e1', data: { text: 'hi "there"\n', n: 1 }, raw: '{"op":0}' };

describe('NDJSON printer', () => {
  test('the envelope, compact, in contract order, one line', () => {
    const line = toNdjson(ev);
    expect(line).toBe('{"time":"2026-11-22T18:00:00.123Z","provider":"tweetcatcher","type":"twitter.post.new","id":"e1","data":{"text":"hi \\"there\\"\\n","n":1}}\n');
    expect(JSON.parse(line)).toEqual({ time: ev.time, provider: ev.provider, type: ev.type, id: 'e1', data: ev.data });
  });
  test('optional fields appear only when set; raw never does', () => {
    const line = toNdjson({ time: ev.time, provider: 'se', type: 'channel.tips', topic: 'channel.tips', room: 'r1', data: null });
    expect(Object.keys(JSON.parse(line))).toEqual(['time', 'provider', 'type', 'topic', 'room', 'data']);
    expect(toNdjson(ev)).not.toContain('raw');
  });
});

describe('Pretty printer', () => {
  test('local time, provider, type and the summary on one line, no colour at level 0', () => {
    const out = new PrettyPrinter(() => '@nasa: Liftoff!', 0).format(ev);
    expect(out).toMatch(/^\d\d:\d\d:\d\d\.123 tweetcatcher twitter\.post\.new @nasa: Liftoff!\n$/);
    expect(out).not.toContain('\u001b[');
  });
  test('at a terminal, a long summary is cut to fit the width', () => {
    const long = 'x'.repeat(500);
    const out = new PrettyPrinter(() => long, 0, 80).format(ev);
    expect(out.length - 1).toBe(80);
    expect(out.trimEnd().endsWith('…')).toBe(true);
    expect(new PrettyPrinter(() => long, 0).format(ev).length).toBeLessThan(400);
  });
  test.each([80, 63, 40, 30, 20, 10])('at %i columns every event is one screen line, wide characters counted twice', (cols) => {
    const wide = '宇宙ロケット🚀 '.repeat(40);
    for (const summary of ['x'.repeat(500), wide, 'short']) {
      const out = new PrettyPrinter(() => summary, 0, cols).format(ev);
      expect(out.endsWith('\n')).toBe(true);
      expect(out.slice(0, -1)).not.toContain('\n');
      expect(stringWidth(out.slice(0, -1))).toBeLessThanOrEqual(cols);
    }
  });
  test('colour at level 1', () => {
    expect(new PrettyPrinter(() => 'x', 1).format(ev)).toContain('\u001b[');
  });
  test('a summary that throws or says nothing falls back to the data, flattened', () => {
    const out = new PrettyPrinter(() => {
      throw new Error('boom');
    }, 0).format(ev);
    expect(out).toContain('{"text":"hi \\"there\\"\\n","n":1}');
    expect(out.split('\n')).toHaveLength(2);
  });
});

describe('colour policy', () => {
  test.each([
    [undefined, {}, true, 1],
    [undefined, {}, false, 0],
    [undefined, { NO_COLOR: '1' }, true, 0],
    [undefined, { FORCE_COLOR: '1' }, false, 1],
    [undefined, { FORCE_COLOR: '0' }, true, 0],
    [true, { NO_COLOR: '1' }, false, 1],
    [false, { FORCE_COLOR: '3' }, true, 0],
    [undefined, { TERM: 'xterm-256color' }, true, 2],
  ])('flag %p env %p tty %p → level %p', (flag, env, tty, level) => {
    expect(colourLevel(flag as boolean | undefined, env as NodeJS.ProcessEnv, tty as boolean)).toBe(level);
  });
});

describe('raw output', () => {
  test('prints the frame text and keeps undecodable frames', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (d) => (text += d));
    const out = await createOutput('raw', new Sink(stream as unknown as NodeJS.WriteStream), { summarize: () => '', colourLevel: 0 });
    out.write(ev);
    out.undecodable('garbage{');
    expect(text).toBe('{"op":0}\ngarbage{\n');
  });
  test('ndjson output drops undecodable frames (they are warned on stderr)', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (d) => (text += d));
    const out = await createOutput('ndjson', new Sink(stream as unknown as NodeJS.WriteStream), { summarize: () => '', colourLevel: 0 });
    out.undecodable('garbage{');
    expect(text).toBe('');
  });
});

describe('Redactor', () => {
  test('secrets, their URL and JSON forms, and secret query parameters become ***', () => {
    const r = new Redactor(['s3cr/t"x']);
    expect(r.redact('token s3cr/t"x')).toBe('token ***');
    expect(r.redact('?t=s3cr%2Ft%22x')).toBe('?t=***');
    expect(r.redact('{"token":"s3cr/t\\"x"}')).toBe('{"token":"***"}');
    expect(new Redactor([]).redact('wss://h/app?auth=YWJj&deviceId=1')).toBe('wss://h/app?auth=***&deviceId=1');
    expect(new Redactor([]).redact('users-api-key: abc')).toBe('users-api-key: ***');
  });
  test('a short secret is replaced only as a whole word; secrets can be added while running', () => {
    const r = new Redactor(['x']);
    expect(r.redact('rate_limit_exceeded token x')).toBe('rate_limit_exceeded token ***');
    expect(r.redact('{"token":"x"}')).toBe('{"token":"***"}');
    r.add('late-session-token');
    expect(r.redact('reconnect late-session-token')).toBe('reconnect ***');
  });
});
