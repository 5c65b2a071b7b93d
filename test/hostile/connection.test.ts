/**
 * Issue 13, findings 4–7: a handshake that trickles, a link that never proves it is alive, wss:// to a plain port,
 * a proxy in front of a server whose certificate names only its IP, and a proxy that refuses.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, test } from '@jest/globals';
import { attach } from 'socketcluster-server';
import { processJanitor, until } from '../helpers/evtail.js';
import { closedPort, connectProxy, hostileTcp, hostileWs, tlsMaterial, type Hostile } from './servers.js';

const janitor = processJanitor();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  janitor.cleanup();
  for (const c of cleanups.splice(0)) await c();
});
async function track<T extends { close(): Promise<void> | void }>(s: Promise<T>): Promise<T> {
  const server = await s;
  cleanups.push(() => server.close());
  return server;
}

describe('--connect-timeout: a total deadline per attempt', () => {
  test('a server answering 101 and trickling a header line every 300 ms is given up at the deadline, and the attempt counts', async () => {
    const attempts: { start: number; end?: number }[] = [];
    const server = await track(
      hostileTcp((socket) => {
        const attempt: { start: number; end?: number } = { start: Date.now() };
        attempts.push(attempt);
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n');
        let n = 0;
        const trickle = setInterval(() => socket.write(`X-Trickle-${n++}: still here\r\n`), 300);
        socket.on('close', () => {
          clearInterval(trickle);
          attempt.end = Date.now();
        });
      }),
    );
    const r = await janitor.inProcess(['ws', server.url, '--connect-timeout', '1s', '--max-retries', '1']).exit();
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/gave up after 1 reconnect attempt: not ready within 1s of connecting \(--connect-timeout\)/);
    expect(server.connections).toBe(2);
    // The run is over once evtail has cut the socket; the server hears of the last cut a moment later.
    await until(() => attempts.every((a) => a.end !== undefined), 'the server to see both attempts end');
    // Each attempt was cut at the deadline (1 s; a margin for a loaded machine), not kept alive by the trickle.
    for (const a of attempts) expect((a.end ?? Infinity) - a.start).toBeLessThan(2500);
  });
});

describe('"healthy" means proven', () => {
  test('Webinate against a server that never answers pings: exit 5 under --max-retries 1, not retrying forever', async () => {
    const server = await track(hostileWs(() => undefined, { ws: { autoPong: false } }));
    const r = await janitor.inProcess(['webinate', '--url', server.url, '--origin', 'http://127.0.0.1', '--ping-interval', '500ms', '--max-retries', '1', '-o', 'ndjson']).exit(20_000);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/gave up after 1 reconnect attempt: dead link/);
    expect(server.connections).toBe(2);
  });
});

describe('wss:// to a server that does not speak TLS', () => {
  test.each([
    ['ws', (url: string) => ['ws', url]],
    ['tweetcatcher', (url: string) => ['tweetcatcher', '--url', url, '--token', 'tok-123456']],
    ['socketcluster', (url: string) => ['socketcluster', url, '--channel', 'c']],
  ])('%s: one clear message, exit 5 at the first attempt, no OpenSSL text', async (_name, args) => {
    const server = await track(hostileWs(() => undefined));
    const url = server.url.replace(/^ws:/, 'wss:');
    const r = await janitor.inProcess([...args(url), '--max-retries', '5']).exit();
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/error: 127\.0\.0\.1:\d+ did not answer with TLS \(ERR_SSL_WRONG_VERSION_NUMBER\)/);
    expect(r.stderr).toMatch(/is the URL ws:\/\/ \(not wss:\/\/\)\?/);
    expect(r.stderr).not.toMatch(/ssl3_get_record|EPROTO|reconnecting|--max-retries/);
    expect(server.connections).toBe(1);
  });
});

describe('proxies: the certificate is checked against the target, errors name the proxy', () => {
  const event = JSON.stringify({ type: 'hello', n: 1 });

  test('wss://127.0.0.1 through a CONNECT proxy, certificate with only an IP SAN: accepted', async () => {
    const ip = tlsMaterial('ip-only');
    const server = await track(hostileWs((ws) => ws.send(event), { tls: ip }));
    const proxy = await track(connectProxy());
    const r = await janitor.inProcess(['ws', server.url, '--proxy', proxy.url, '--ca', ip.caFile, '-n', '1']).exit();
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(proxy.tunnels.map((t) => t.target)).toEqual([`127.0.0.1:${server.port}`]);
  });

  test('wss://127.0.0.1 through a CONNECT proxy, certificate naming only localhost: refused, exit 5, not retried', async () => {
    const dns = tlsMaterial('dns-only');
    const server = await track(hostileWs((ws) => ws.send(event), { tls: dns }));
    const proxy = await track(connectProxy());
    const r = await janitor.inProcess(['ws', server.url, '--proxy', proxy.url, '--ca', dns.caFile, '-n', '1']).exit();
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/TLS: the server's certificate was not accepted \(ERR_TLS_CERT_ALTNAME_INVALID: .*IP: 127\.0\.0\.1 is not in the cert's list/);
    expect(r.stderr).not.toMatch(/reconnecting/);
    expect(r.lines).toHaveLength(0);
  });

  test('wss://localhost through the proxy, certificate naming only localhost: accepted (SNI and check by name)', async () => {
    const dns = tlsMaterial('dns-only');
    const server = await track(hostileWs((ws) => ws.send(event), { tls: dns }));
    const proxy = await track(connectProxy());
    const r = await janitor.inProcess(['ws', server.url.replace('127.0.0.1', 'localhost'), '--proxy', proxy.url, '--ca', dns.caFile, '-n', '1']).exit();
    expect(r.code).toBe(0);
    expect(proxy.tunnels.map((t) => t.target)).toEqual([`localhost:${server.port}`]);
  });

  test('SocketCluster through the proxy, certificate with only an IP SAN: accepted', async () => {
    const ip = tlsMaterial('ip-only');
    const https = createHttpsServer({ key: ip.key, cert: ip.cert });
    const sc = attach(https, { protocolVersion: 2 });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    cleanups.push(async () => {
      sc.closeAllListeners();
      await sc.close(true);
      https.closeAllConnections();
      await new Promise<void>((r) => https.close(() => r()));
    });
    void (async () => {
      for await (const { channel } of sc.listener('subscription')) void sc.exchange.transmitPublish(channel, { n: 1 });
    })();
    const port = (https.address() as { port: number }).port;
    const proxy = await track(connectProxy());
    const r = await janitor.inProcess(['socketcluster', `wss://127.0.0.1:${port}/socketcluster/`, '--channel', 'c', '--proxy', proxy.url, '--ca', ip.caFile, '-n', '1']).exit();
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(proxy.tunnels.map((t) => t.target)).toEqual([`127.0.0.1:${port}`]);
  });

  test('a proxy that answers CONNECT with 407: exit 3 naming the proxy, never retried', async () => {
    const server: Hostile = await track(hostileWs(() => undefined));
    const proxy = createHttpServer();
    let connects = 0;
    proxy.on('connect', (_req, socket: Socket) => {
      connects++;
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="p"\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => proxy.close(() => r())));
    const port = (proxy.address() as { port: number }).port;
    const r = await janitor.inProcess(['ws', server.url, '--proxy', `http://puser:wrong-secret@127.0.0.1:${port}`, '--max-retries', '3']).exit();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`error: the proxy http://\\*\\*\\*@127\\.0\\.0\\.1:${port}/ refused: HTTP 407`));
    expect(r.stderr).not.toMatch(/wrong-secret|reconnecting/);
    expect(connects).toBe(1);
  });

  test('a proxy that refuses the connection is named (without its credentials), not the target', async () => {
    const server: Hostile = await track(hostileWs(() => undefined));
    const port = await closedPort();
    const r = await janitor.inProcess(['ws', server.url, '--proxy', `http://puser:psecret-77@127.0.0.1:${port}`, '--max-retries', '0']).exit();
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(new RegExp(`connection refused by the proxy http://\\*\\*\\*@127\\.0\\.0\\.1:${port}/ \\(on the way to 127\\.0\\.0\\.1:${server.port}\\)`));
    expect(r.stderr).not.toMatch(/psecret|puser/);
    expect(server.connections).toBe(0);
  });
});
