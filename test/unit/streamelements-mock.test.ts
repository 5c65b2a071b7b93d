/**
 * The StreamElements mock against a bare ws client: what a test of evtail relies on must hold of the mock itself
 * (an unpaced client IS rate limited, permissions and error codes are answered by nonce, tokens restore).
 */
import { once } from 'node:events';
import { afterEach, describe, expect, test } from '@jest/globals';
import WebSocket from 'ws';
import { startStreamElementsMock, type StreamElementsMock } from '../../src/providers/streamelements/mock.js';
import { until } from '../helpers/evtail.js';

let mock: StreamElementsMock | undefined;
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await mock?.close();
  mock = undefined;
});

type Frame = { type: string; nonce?: string; error?: string; topic?: string; id?: string; data?: Record<string, unknown> };

async function client(url: string): Promise<{ ws: WebSocket; frames: Frame[]; closed: Promise<number> }> {
  const ws = new WebSocket(url);
  clients.push(ws);
  const frames: Frame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Frame));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  ws.on('error', () => undefined);
  await once(ws, 'open');
  return { ws, frames, closed };
}

const sub = (nonce: string, topic: string, token = 'T', tokenType = 'jwt') => JSON.stringify({ type: 'subscribe', nonce, data: { topic, token, token_type: tokenType } });

describe('StreamElements mock', () => {
  test('welcome first; 20 subscriptions sent at once are rate limited (no nonce), so pacing is observable', async () => {
    mock = await startStreamElementsMock({ port: 0, rate: 0, count: 0 });
    const c = await client(mock.url);
    await until(() => c.frames.length >= 1, 'welcome');
    expect(c.frames[0]!.type).toBe('welcome');
    expect(c.frames[0]!.data).toEqual({ message: expect.any(String), client_id: expect.any(String) });
    for (let i = 0; i < 20; i++) c.ws.send(sub(`n${i}`, 'channel.activities'));
    await until(() => c.frames.length >= 21, '20 answers');
    const limited = c.frames.filter((f) => f.error === 'rate_limit_exceeded');
    expect(limited.length).toBeGreaterThanOrEqual(17);
    for (const f of limited) expect(f.nonce).toBeUndefined();
    expect(mock.stats.rateLimited).toBe(limited.length);
  });

  test('permissions and errors are answered by nonce', async () => {
    mock = await startStreamElementsMock({ port: 0, rate: 0, count: 0, rateLimitMs: 0, token: ['ALL', 'LIM:channel.tips'] });
    const c = await client(mock.url);
    c.ws.send(sub('a', 'channel.activities', 'ALL'));
    c.ws.send(sub('b', 'channel.activities', 'LIM'));
    c.ws.send(sub('c', 'channel.tips', 'LIM', 'oauth2'));
    c.ws.send(sub('d', 'channel.tips', 'nope'));
    c.ws.send(sub('e', 'channel.nonsense', 'ALL'));
    c.ws.send(sub('f', 'channel.tips', 'ALL', 'password'));
    c.ws.send(JSON.stringify({ type: 'publish', nonce: 'g', data: {} }));
    c.ws.send('not json');
    await until(() => c.frames.length >= 9, 'eight answers');
    const by = (n: string) => c.frames.find((f) => f.nonce === n);
    expect(by('a')!.error).toBeUndefined();
    expect(by('a')!.data).toEqual({ message: 'successfully subscribed to topic', topic: 'channel.activities' });
    expect(by('b')!.error).toBe('err_unauthorized');
    expect(by('c')!.error).toBeUndefined();
    expect(by('d')!.error).toBe('err_unauthorized');
    expect(by('e')!.error).toBe('err_bad_request');
    expect(by('f')!.error).toBe('err_bad_request');
    expect(by('g')!.error).toBe('invalid_message_type');
    expect(c.frames.at(-1)).toMatchObject({ type: 'response', error: 'invalid_message' });
  });

  test.each(['err_internal_error', 'err_deadline_exceeded', 'invalid_message_type'])('--fail-subscribe %s with --fail-count 1: the first subscription only', async (code) => {
    mock = await startStreamElementsMock({ port: 0, rate: 0, count: 0, rateLimitMs: 0, failSubscribe: code, failCount: 1 });
    const c = await client(mock.url);
    c.ws.send(sub('1', 'channel.activities'));
    c.ws.send(sub('2', 'channel.activities'));
    await until(() => c.frames.length >= 3, 'two answers');
    expect(c.frames[1]).toMatchObject({ nonce: '1', error: code });
    expect(c.frames[2]!.nonce).toBe('2');
    expect(c.frames[2]!.error).toBeUndefined();
  });

  test('reconnect: a token that restores the subscriptions once, then is spent', async () => {
    mock = await startStreamElementsMock({ port: 0, rate: 100, reconnectAfter: 2, faulty: 1 });
    const a = await client(mock.url);
    a.ws.send(sub('1', 'channel.tips'));
    await until(() => a.frames.some((f) => f.type === 'reconnect'), 'reconnect');
    const token = a.frames.find((f) => f.type === 'reconnect')!.data!.reconnect_token as string;
    expect(token).toEqual(mock.issuedReconnectTokens[0]);
    expect(a.frames.filter((f) => f.type === 'message').map((f) => f.topic)).toEqual(['channel.tips', 'channel.tips']);
    a.ws.close();
    const b = await client(`${mock.url}/?reconnect_token=${token}`);
    await until(() => b.frames.filter((f) => f.type === 'message').length >= 2, 'events on the restored connection');
    expect(b.frames[0]!.type).toBe('welcome');
    expect(b.frames.filter((f) => f.type === 'response')).toHaveLength(0);
    expect(mock.stats.restored).toBe(1);
    const again = await client(`${mock.url}/?reconnect_token=${token}`);
    expect(await again.closed).toBe(1008);
    expect(again.frames).toHaveLength(0);
    expect(mock.stats.refusedReconnectTokens).toBe(1);
  });
});
