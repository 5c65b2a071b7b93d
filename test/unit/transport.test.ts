/** The transport's pure parts and WsLink against a real ws server on 127.0.0.1: proxies, Retry-After, facts at close. */
import { afterEach, describe, expect, test } from '@jest/globals';
import { WebSocketServer } from 'ws';
import { proxyFor } from '../../src/transport/proxy.js';
import { retryAfterMs } from '../../src/transport/classify.js';
import { defaultTransport, WsLink } from '../../src/transport/ws-transport.js';
import type { CloseOutcome, LinkCause } from '../../src/types.js';
import { until } from '../helpers/evtail.js';
import { stubHooks } from '../helpers/hooks.js';

describe('proxyFor: HTTP(S)_PROXY, ALL_PROXY and NO_PROXY', () => {
  const env = { HTTPS_PROXY: 'http://secure-proxy:3128', http_proxy: 'http://plain-proxy:3128', NO_PROXY: 'localhost, .internal.example, api.example.com:8443, [::1]' };
  test('wss goes through HTTPS_PROXY, ws through HTTP_PROXY (either case), --proxy wins', () => {
    expect(proxyFor('wss://stream.example.com/x', env)).toBe('http://secure-proxy:3128');
    expect(proxyFor('ws://stream.example.com/x', env)).toBe('http://plain-proxy:3128');
    expect(proxyFor('wss://stream.example.com/x', env, 'http://mine:8080')).toBe('http://mine:8080');
    expect(proxyFor('wss://stream.example.com/x', { ALL_PROXY: 'http://all:1' })).toBe('http://all:1');
    expect(proxyFor('wss://stream.example.com/x', {})).toBeUndefined();
  });
  test('NO_PROXY: hosts, domain suffixes (with or without the dot), host:port, IPv6 and *', () => {
    expect(proxyFor('ws://localhost:8080/', env)).toBeUndefined();
    expect(proxyFor('wss://a.b.internal.example/', env)).toBeUndefined();
    expect(proxyFor('wss://internal.example/', env)).toBeUndefined();
    expect(proxyFor('wss://api.example.com:8443/', env)).toBeUndefined();
    expect(proxyFor('wss://api.example.com/', env)).toBe('http://secure-proxy:3128'); // another port
    expect(proxyFor('ws://[::1]:9000/', env)).toBeUndefined();
    expect(proxyFor('wss://notinternal.example/', env)).toBe('http://secure-proxy:3128');
    expect(proxyFor('wss://anything/', { HTTPS_PROXY: 'http://p:1', no_proxy: '*' })).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  test('seconds, an HTTP date (relative to now), or nothing usable', () => {
    const now = Date.parse('Mon, 30 Nov 2026 04:00:00 GMT');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('1.5', now)).toBe(1500);
    expect(retryAfterMs('Mon, 30 Nov 2026 04:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs(['Mon, 30 Nov 2026 04:01:00 GMT', '5'], now)).toBe(60_000);
    expect(retryAfterMs('Mon, 30 Nov 2026 03:59:00 GMT', now)).toBe(0); // in the past: at once
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('WsLink', () => {
  let wss: WebSocketServer | undefined;
  afterEach(async () => {
    for (const c of wss?.clients ?? []) c.terminate();
    await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
    wss = undefined;
  });
  async function server(): Promise<string> {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss!.once('listening', () => r()));
    return `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
  }
  function open(url: string, classify?: (c: LinkCause) => CloseOutcome) {
    const seen = { frames: [] as string[], causes: [] as LinkCause[], closed: [] as CloseOutcome[], opened: 0 };
    const hooks = stubHooks({ open: () => void seen.opened++, frame: (dir, text) => void seen.frames.push(`${dir} ${text}`), closed: (o) => void seen.closed.push(o) });
    const link = new WsLink(url, hooks, defaultTransport, {
      onMessage: () => undefined,
      classify: (cause) => {
        seen.causes.push(cause);
        return classify ? classify(cause) : { recovery: 'retry', reason: cause.kind };
      },
    });
    return { link, seen };
  }

  test('frames in and out reach the hooks; the close frame is the cause; classify runs once', async () => {
    const url = await server();
    wss!.on('connection', (ws) => {
      ws.on('message', (m) => ws.send(`echo ${String(m)}`));
    });
    const { link, seen } = open(url);
    await until(() => link.isOpen, 'open');
    link.send('hi');
    await until(() => seen.frames.includes('in echo hi'), 'the echo');
    for (const c of wss!.clients) c.close(4321, 'bye');
    await until(() => seen.closed.length > 0, 'closed');
    expect(seen.opened).toBe(1);
    expect(seen.frames).toEqual(['out hi', 'in echo hi']);
    expect(seen.causes).toEqual([{ kind: 'close', code: 4321, reason: 'bye' }]);
    link.close();
    link.terminate('again');
    expect(seen.closed).toHaveLength(1);
  });

  test('an HTTP refusal is the cause, with its status and headers', async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: (_info, cb) => cb(false, 429, 'Too Many Requests', { 'Retry-After': '3' }) });
    await new Promise<void>((r) => wss!.once('listening', () => r()));
    const { seen } = open(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`);
    await until(() => seen.closed.length > 0, 'closed');
    expect(seen.causes).toEqual([{ kind: 'http', status: 429, headers: expect.objectContaining({ 'retry-after': '3' }) }]);
  });

  test('a socket error is the cause (not the 1006 close it brings)', async () => {
    const url = await server();
    await new Promise<void>((r) => wss!.close(() => r())); // nothing listens there any more
    wss = undefined;
    const { seen } = open(url);
    await until(() => seen.closed.length > 0, 'closed');
    expect(seen.causes).toEqual([expect.objectContaining({ kind: 'socket', code: 'ECONNREFUSED' })]);
  });

  test('the watchdog\'s kill decides over the close it causes; a stop is "closed by evtail"', async () => {
    const url = await server();
    const a = open(url);
    await until(() => a.link.isOpen, 'open');
    a.link.terminate('dead link: no heartbeat answer within 1000 ms');
    await until(() => a.seen.closed.length > 0, 'closed');
    expect(a.seen.causes).toEqual([{ kind: 'local', action: 'dead', reason: 'dead link: no heartbeat answer within 1000 ms' }]);
    const b = open(url);
    await until(() => b.link.isOpen, 'open');
    b.link.close();
    await until(() => b.seen.closed.length > 0, 'closed');
    expect(b.seen.causes).toEqual([{ kind: 'local', action: 'stop', reason: 'closed by evtail' }]);
  });

  test('the protocol\'s word (end) decides over the close frame that follows', async () => {
    const url = await server();
    const { link, seen } = open(url);
    await until(() => link.isOpen, 'open');
    link.end({ recovery: 'retry', reason: 'the server asked us to reconnect', immediate: true });
    await until(() => seen.closed.length > 0, 'closed');
    expect(seen.causes).toEqual([{ kind: 'protocol', outcome: { recovery: 'retry', reason: 'the server asked us to reconnect', immediate: true } }]);
  });
});
