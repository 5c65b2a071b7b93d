/** `evtail socketcluster`: publishes → envelopes, recorded frames, URLs → client options, close codes. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { decode, publishEvent, summarize } from '../../src/providers/socketcluster/messages.js';
import { defaultScCloseOutcome, defaultScHttpOutcome, describeScClose, parseScUrl } from '../../src/transport/sc-classify.js';
import { ROOT } from '../helpers/evtail.js';

interface FrameCase {
  name: string;
  frame: string;
  events: { type: string; id?: string; channel: string }[];
}

const cases = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/socketcluster/frames.json'), 'utf8')) as FrameCase[];

describe('socketcluster frames', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const evs = decode(c.frame, '2026-01-01T00:00:00.000Z');
    expect(evs.map((e) => ({ type: e.type, id: e.id, channel: e.channel }))).toEqual(c.events.map((e) => ({ id: undefined, ...e })));
    for (const e of evs) {
      expect(e.provider).toBe('socketcluster');
      expect(e.raw).toBe(c.frame);
    }
  });

  test('data is the message, unchanged', () => {
    const ev = publishEvent('news', { type: 'headline', id: 'n-1', nested: { a: [1] } }, 'raw');
    expect(ev.data).toEqual({ type: 'headline', id: 'n-1', nested: { a: [1] } });
    expect(publishEvent('c', null, 'raw')).toMatchObject({ type: 'message', data: null });
    expect(publishEvent('c', { type: '', event: 'e' }, 'raw').type).toBe('e');
  });

  test('summaries', () => {
    expect(summarize(publishEvent('news', { type: 'headline', id: 'n-1', text: 'Hello' }, ''))).toBe('#n-1 {"text":"Hello"}');
    expect(summarize(publishEvent('news', { event: 'tick', data: { p: 1 } }, ''))).toBe('{"p":1}');
    expect(summarize(publishEvent('chat', 'hi all', ''))).toBe('hi all');
    expect(summarize(publishEvent('chat', [1, 2], ''))).toBe('[1,2]');
  });
});

describe('socketcluster endpoint', () => {
  test('a URL without a path means /socketcluster/', () => {
    expect(parseScUrl('ws://127.0.0.1:8000')).toEqual({ secure: false, hostname: '127.0.0.1', port: 8000, path: '/socketcluster/', query: {} });
    expect(parseScUrl('wss://sc.example.com')).toMatchObject({ secure: true, port: 443, path: '/socketcluster/' });
  });

  test('an explicit path, query (repeated keys kept) and IPv6 host', () => {
    expect(parseScUrl('ws://h:80/')).toMatchObject({ path: '/', port: 80 });
    expect(parseScUrl('wss://h/custom/path?room=a&room=b&k=v')).toEqual({ secure: true, hostname: 'h', port: 443, path: '/custom/path', query: { room: ['a', 'b'], k: 'v' } });
    expect(parseScUrl('ws://[::1]:9000/socketcluster/')).toMatchObject({ hostname: '[::1]', port: 9000 });
  });

  test('not a WebSocket URL', () => {
    expect(parseScUrl('http://h/socketcluster/')).toBeUndefined();
    expect(parseScUrl('not a url')).toBeUndefined();
  });
});

describe('socketcluster close codes', () => {
  test('1000 is the end; ping timeouts come back at once; the rest are retried', () => {
    expect(defaultScCloseOutcome(1000, '')).toMatchObject({ recovery: 'done' });
    expect(defaultScCloseOutcome(4000, '')).toMatchObject({ recovery: 'retry', immediate: true });
    expect(defaultScCloseOutcome(4001, '')).toMatchObject({ recovery: 'retry', immediate: true });
    expect(defaultScCloseOutcome(4008, '')).toMatchObject({ recovery: 'retry', code: 4008 });
    expect(defaultScCloseOutcome(1011, 'boom')).toMatchObject({ recovery: 'retry', reason: 'closed with code 1011 (server error): boom' });
  });

  test('SocketCluster codes have names; the reason is not repeated when it is the same', () => {
    expect(describeScClose(4001, 'Client pong timed out')).toBe('closed with code 4001 (client pong timed out)');
    expect(describeScClose(4008, 'nope')).toBe('closed with code 4008 (the server rejected the handshake): nope');
  });

  test('HTTP 400 to the upgrade is a wrong path, not retried', () => {
    const o = defaultScHttpOutcome(400, {});
    expect(o.recovery).toBe('fatal');
    expect(defaultScHttpOutcome(403, {}).recovery).toBe('fatal');
    expect(defaultScHttpOutcome(503, {}).recovery).toBe('retry');
  });
});
