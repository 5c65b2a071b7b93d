/** Doshii decoding, summaries, URL building and redaction: pure functions over recorded frames (fixtures/doshii). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { clientIdForms, decodeFrame, socketUrl, summarize, toEvent, type Frame } from '../../src/providers/doshii/messages.js';
import provider from '../../src/providers/doshii/index.js';
import { DoshiiDriver, parseOptions } from '../../src/providers/doshii/driver.js';
import { Redactor } from '../../src/redact.js';
import { defaultTransport } from '../../src/transport/ws-transport.js';
import { systemClock, type TailEvent } from '../../src/types.js';
import { ROOT } from '../helpers/evtail.js';

const dir = path.join(ROOT, 'fixtures/doshii');
const frame = (name: string): string => readFileSync(path.join(dir, 'frames', name), 'utf8');
const decode = (name: string): Frame => decodeFrame(frame(name));
const TIME = '2026-11-22T18:00:00.123Z';

function eventOf(name: string): TailEvent {
  const text = frame(name);
  const f = decodeFrame(text);
  if (f.kind !== 'event') throw new Error(`${name}: expected an event, got ${f.kind}`);
  return toEvent(f, TIME, text);
}

describe('doshii frames', () => {
  test('the emit envelope: type is the name, id is payload.id, data is the payload unchanged', () => {
    const ev = eventOf('emit-order-created.json');
    expect(ev).toEqual({
      time: TIME,
      provider: 'doshii',
      type: 'order_created',
      id: '1234',
      data: JSON.parse(frame('emit-order-created.json')).emit[1],
      json: JSON.stringify(JSON.parse(frame('emit-order-created.json')).emit[1]),
      raw: frame('emit-order-created.json'),
    });
    expect(Object.keys(ev)).toEqual(['time', 'provider', 'type', 'id', 'data', 'json', 'raw']);
  });

  test('the event/data envelope decodes the same way', () => {
    const ev = eventOf('event-transaction-updated.json');
    expect(ev.type).toBe('transaction_updated');
    expect(ev.id).toBe('88');
    expect(ev.data).toEqual(JSON.parse(frame('event-transaction-updated.json')).data);
  });

  test('an event inside a {"type":"message"} wrapper (data as JSON text) decodes; a numeric id becomes a string', () => {
    const ev = eventOf('message-wrapped-emit.json');
    expect(ev.type).toBe('booking_created');
    expect(ev.id).toBe('77');
  });

  test('no payload or no payload.id: the envelope has no id', () => {
    const a = eventOf('emit-without-payload.json');
    expect(a.type).toBe('location_hours_updated');
    expect(a.data).toBeNull();
    expect('id' in a).toBe(false);
    const b = eventOf('event-without-id.json');
    expect(b.type).toBe('table_bulk_updated');
    expect('id' in b).toBe(false);
  });

  test('pongs in both published shapes, and server pings in both, are heartbeats, not events', () => {
    expect(decode('pong-plain.json')).toEqual({ kind: 'pong', value: 1795376834961, wrapped: false });
    expect(decode('pong-message.json')).toEqual({ kind: 'pong', value: 1795376834961, wrapped: true });
    expect(decode('server-ping-message.json')).toEqual({ kind: 'ping', value: 1795376834999, wrapped: true });
    expect(decode('server-ping-plain.json')).toEqual({ kind: 'ping', value: 1795376834999, wrapped: false });
    expect(decode('control.json').kind).toBe('control');
  });

  test.each([
    ['malformed.txt', 'not JSON'],
    ['array.json', 'not a JSON object'],
    ['bad-emit-not-array.json', '"emit" is not a [name, payload] array'],
    ['bad-event-name.json', '"event" is not a name'],
    ['unknown-shape.json', 'neither an event ("emit"/"event") nor a "doshii" heartbeat'],
    ['message-data-not-json.json', 'a "message" whose data is not JSON'],
  ])('%s does not decode: %s', (name, reason) => {
    expect(decode(name)).toEqual({ kind: 'invalid', reason });
  });
});

describe('doshii summaries', () => {
  const cases = JSON.parse(readFileSync(path.join(dir, 'summaries.json'), 'utf8')) as { type: string; data: unknown; summary: string }[];
  test.each(cases.map((c) => [c.type, c] as const))('%s', (_type, c) => {
    expect(summarize({ time: TIME, provider: 'doshii', type: c.type, data: c.data })).toBe(c.summary);
  });

  test('a payload that is not an object gives "" (the printer falls back to JSON)', () => {
    expect(summarize({ time: TIME, provider: 'doshii', type: 'order_created', data: null })).toBe('');
    expect(summarize({ time: TIME, provider: 'doshii', type: 'order_created', data: 'x' })).toBe('');
  });
});

describe('doshii URL and secrets', () => {
  const CLIENT = 'dsh-client~~>?';
  const B64 = 'ZHNoLWNsaWVudH5+Pj8=';

  test('auth is base64 of the client id; deviceId is added when given; --url keeps its own query', () => {
    expect(socketUrl('wss://socket.sandbox.doshii.co/app/socket/v3', CLIENT)).toBe(`wss://socket.sandbox.doshii.co/app/socket/v3?auth=${encodeURIComponent(B64)}`);
    const u = new URL(socketUrl('ws://127.0.0.1:8101/app/socket/v3?region=au&auth=stale', CLIENT, 'dev-9f1c'));
    expect(u.searchParams.get('auth')).toBe(B64);
    expect(u.searchParams.get('deviceId')).toBe('dev-9f1c');
    expect(u.searchParams.get('region')).toBe('au');
  });

  test("the partner SDKs' form (<env>-socket.doshii.co/app/socket) works as --url: auth added once, a deviceId in it kept", () => {
    const out = socketUrl('wss://live-socket.doshii.co/app/socket?deviceId=dev-7&auth=stale&auth=older', CLIENT);
    const u = new URL(out);
    expect(`${u.host}${u.pathname}`).toBe('live-socket.doshii.co/app/socket');
    expect(u.searchParams.getAll('auth')).toEqual([B64]);
    expect(u.searchParams.getAll('deviceId')).toEqual(['dev-7']);
    // --device-id wins over the one in --url, still once.
    expect(new URL(socketUrl('wss://sandbox-socket.doshii.co/app/socket?deviceId=dev-7', CLIENT, 'dev-9')).searchParams.getAll('deviceId')).toEqual(['dev-9']);
    // Applying it again (each reconnect builds from the same base) changes nothing.
    expect(socketUrl(out, CLIENT)).toBe(out);
  });

  test('extraSecrets covers the clear id, its base64 and the URL-encoded base64, so none survives redaction', () => {
    const extra = provider.extraSecrets!({ clientId: CLIENT });
    expect(extra).toEqual(expect.arrayContaining([CLIENT, B64, encodeURIComponent(B64)]));
    expect(clientIdForms('')).toEqual([]);
    const r = new Redactor(extra);
    const text = `id ${CLIENT}; header X-Doshii: ${B64}; path /x/${encodeURIComponent(B64)}/y; raw ${B64.replace(/=+$/, '')}`;
    const out = r.redact(text);
    expect(out).not.toContain(CLIENT);
    expect(out).not.toContain(B64.replace(/=+$/, ''));
    expect(out).not.toContain(encodeURIComponent(B64).slice(0, 12));
  });
});

describe('doshii driver options', () => {
  /** The options parsed once, as run.ts does, and the driver built from them. */
  const driver = (options: Record<string, unknown>, url?: string) =>
    new DoshiiDriver({ ...parseOptions(options, { url, reconnect: true, maxRetries: 10, quiet: false, verbose: false, maxFrameSize: 1 << 24 }), transport: defaultTransport, clock: systemClock });

  test('the endpoint follows --environment (default sandbox); --url replaces the base only', () => {
    const b64 = encodeURIComponent(Buffer.from('abc').toString('base64'));
    expect(driver({ clientId: 'abc' }).url).toBe(`wss://socket.sandbox.doshii.co/app/socket/v3?auth=${b64}`);
    expect(driver({ clientId: 'abc', environment: 'live', deviceId: 'd1' }).url).toBe(`wss://socket.live.doshii.co/app/socket/v3?auth=${b64}&deviceId=d1`);
    expect(driver({ clientId: 'abc', environment: 'live' }, 'ws://127.0.0.1:8101/app/socket').url).toBe(`ws://127.0.0.1:8101/app/socket?auth=${b64}`);
  });

  test('app version defaults to evtail/<version>; heartbeat to 30 s', () => {
    const d = driver({ clientId: 'abc' });
    expect(d.appVersion).toMatch(/^evtail\/\d+\.\d+\.\d+/);
    expect(d.heartbeatMs).toBe(30_000);
    expect(driver({ clientId: 'abc', appVersion: '2.4.1', heartbeatInterval: 500 }).appVersion).toBe('2.4.1');
  });

  test('a bad environment name or a non-WebSocket --url is a usage error (exit 2)', () => {
    expect(() => driver({ clientId: 'abc', environment: 'evil.com/x' })).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => driver({ clientId: 'abc' }, 'http://example.com')).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});
