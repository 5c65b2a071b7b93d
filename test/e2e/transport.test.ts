/** Transport faults and security: TLS, proxies, no busy loops, bad frames, oversized frames. */
import { parseDuration } from '../../src/config/parse-values.js';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from '@jest/globals';
import { WebSocketServer } from 'ws';
import { startTweetCatcherMock, type TweetCatcherMock } from '../../src/providers/tweetcatcher/mock.js';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import { baseEnv, ROOT, runInProcess } from '../helpers/evtail.js';

const TOKEN = 'transport-token';
const tls = { key: readFileSync(`${ROOT}/fixtures/tls/server.key`), cert: readFileSync(`${ROOT}/fixtures/tls/server.crt`) };
let mock: TweetCatcherMock | undefined;
const cleanups: (() => Promise<void> | void)[] = [];

async function start(options: Record<string, unknown> = {}): Promise<TweetCatcherMock> {
  mock = await startTweetCatcherMock({ host: '127.0.0.1', port: 0, rate: 100, token: [TOKEN], ...options });
  return mock;
}
afterEach(async () => {
  await mock?.close();
  mock = undefined;
  for (const c of cleanups.splice(0)) await c();
});

describe('TLS', () => {
  test('a self-signed certificate: a clear TLS message and exit 5, no retries', async () => {
    const m = await start({ tls });
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', '-n', '1']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/TLS: the server's certificate was not accepted \(DEPTH_ZERO_SELF_SIGNED_CERT/);
    expect(r.stderr).toMatch(/--ca <file>/);
    expect(r.stderr).not.toMatch(/reconnecting/);
  });

  test('--ca <file> makes it work', async () => {
    const m = await start({ tls });
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', '-n', '2', '--ca', `${ROOT}/fixtures/tls/server.crt`]);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(2);
    expect(r.stderr).not.toMatch(/insecure/);
  });

  test('--insecure makes it work and warns, every run', async () => {
    const m = await start({ tls });
    for (let i = 0; i < 2; i++) {
      const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', '-n', '1', '--insecure', '-q']);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/warning: --insecure: TLS certificates are not verified/);
    }
  });

  test('an unreadable --ca file: exit 2', async () => {
    const r = await runInProcess(['tweetcatcher', '--url', 'wss://127.0.0.1:9', '--token', TOKEN, '--ca', '/nonexistent/ca.pem']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--ca: cannot read \/nonexistent\/ca\.pem/);
  });
});

/** A real HTTP CONNECT proxy on loopback that counts the tunnels it opens (closed after each test). */
async function startProxy(): Promise<{ url: string; tunnels: string[] }> {
  const proxy = await startConnectProxy();
  cleanups.push(proxy.close);
  return proxy;
}

describe('proxies', () => {
  test('HTTP_PROXY is honoured for ws:// (through a real CONNECT proxy)', async () => {
    const m = await start();
    const proxy = await startProxy();
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', '-n', '2'], { env: baseEnv({ HTTP_PROXY: proxy.url }) });
    expect(r.code).toBe(0);
    expect(proxy.tunnels).toEqual([`127.0.0.1:${m.port}`]);
  });

  test('HTTPS_PROXY is honoured for wss://, with --ca still verifying the server', async () => {
    const m = await start({ tls });
    const proxy = await startProxy();
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', '-n', '1', '--ca', `${ROOT}/fixtures/tls/server.crt`], { env: baseEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: 'http://127.0.0.1:9' }) });
    expect(r.code).toBe(0);
    expect(proxy.tunnels).toHaveLength(1);
  });

  test('NO_PROXY exempts a host', async () => {
    const m = await start();
    const proxy = await startProxy();
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', '-n', '1'], { env: baseEnv({ HTTP_PROXY: proxy.url, NO_PROXY: 'example.com,127.0.0.1' }) });
    expect(r.code).toBe(0);
    expect(proxy.tunnels).toEqual([]);
  });

  test('--proxy wins over the environment', async () => {
    const m = await start();
    const proxy = await startProxy();
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', '-n', '1', '--proxy', proxy.url], { env: baseEnv({ HTTP_PROXY: 'http://127.0.0.1:9' }) });
    expect(r.code).toBe(0);
    expect(proxy.tunnels).toHaveLength(1);
  });
});

describe('no busy loops', () => {
  test('a server that accepts and closes at once: retries spaced by the backoff, then exit 5', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const times: number[] = [];
    wss.on('connection', (ws) => {
      times.push(Date.now());
      ws.terminate();
    });
    cleanups.push(() => new Promise<void>((r) => wss.close(() => r())));
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    const r = await runInProcess(['tweetcatcher', '--url', url, '--token', TOKEN, '--max-retries', '4'], { timeoutMs: 30_000 });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/gave up after 4 reconnect attempts/);
    // One first attempt plus exactly four retries: never a tight loop.
    expect(times).toHaveLength(5);
    const announced = [...r.stderr.matchAll(/reconnecting in (\S+):/g)].map((m) => parseDuration(m[1]!)!);
    expect(announced).toHaveLength(4);
    // The retries waited (at least) the backoff they announced: the announcements round to 0.1 s, hence 50 ms each.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(announced.reduce((a, b) => a + b, 0) - 4 * 50);
  });
});

describe('frames that do not decode (the fault catalogue has the rest, for every provider: test/faults/frames.test.ts)', () => {
  test('--format raw keeps a malformed frame in the stream', async () => {
    const m = await start({ malformedAfter: 1 });
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'raw', '-n', '2']);
    expect(r.code).toBe(0);
    expect(r.lines[1]).toBe('{"op":0,"d":{"event_id":');
  });

  test('an oversized frame with --no-reconnect: exit 5', async () => {
    const m = await start({ oversizedAfter: 1, oversizedBytes: 200_000 });
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', '--max-frame-size', '64KiB', '--no-reconnect']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/larger than --max-frame-size/);
  });
});
