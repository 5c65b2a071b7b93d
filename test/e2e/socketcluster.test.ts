/** End to end: `evtail socketcluster <url> --channel …` against a real socketcluster-server 20.0.1 on 127.0.0.1. */
import http from 'node:http';
import { afterEach, describe, expect, test } from '@jest/globals';
import { attach, type AGServer, type AGServerSocket } from 'socketcluster-server';
import { baseEnv, BIN, processJanitor, ROOT, runInProcess, until } from '../helpers/evtail.js';

interface Sc {
  url: string;
  server: AGServer;
  connections: number;
  sockets: AGServerSocket[];
  /** Per connection: the username in the auth token the client came with (null: none). */
  authUsers: (string | null)[];
  /** Signed tokens the server handed out with setAuthToken. */
  issued: string[];
  /** Pong frames received from clients (the answers to the server's pings). */
  pongs: number;
  /** Successful subscriptions, in order: "<connection index>:<channel>". */
  subscriptions: string[];
  publish(channel: string, data: unknown): void;
  close(): Promise<void>;
}

let sc: Sc | undefined;

async function startSc(options: { protocolVersion?: 1 | 2; authKey?: string; requireAuthToSubscribe?: boolean; issueToken?: boolean; pingInterval?: number; pingTimeout?: number } = {}): Promise<Sc> {
  const httpServer = http.createServer();
  // Only the options given: an explicit undefined would override the server's defaults.
  const { requireAuthToSubscribe: _r, issueToken: _i, ...serverOptions } = options;
  const server = attach(httpServer, { protocolVersion: 2, ...serverOptions });
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', () => r()));
  const port = (httpServer.address() as { port: number }).port;
  const s: Sc = {
    url: `ws://127.0.0.1:${port}/socketcluster/`,
    server,
    connections: 0,
    sockets: [],
    subscriptions: [],
    pongs: 0,
    authUsers: [],
    issued: [],
    publish: (channel, data) => void server.exchange.transmitPublish(channel, data),
    close: async () => {
      server.closeAllListeners();
      for (const sock of s.sockets) sock.disconnect(1001);
      await server.close(true);
      httpServer.closeAllConnections();
      await new Promise<void>((r) => httpServer.close(() => r()));
    },
  };
  void (async () => {
    for await (const { socket } of server.listener('connection')) {
      s.connections++;
      s.sockets.push(socket);
      s.authUsers.push((socket.authToken as { username?: string } | null)?.username ?? null);
      if (options.issueToken && !socket.authToken) void socket.setAuthToken({ username: 'bob' }).then(() => s.issued.push(socket.signedAuthToken!));
      void (async () => {
        for await (const { message } of socket.listener('message')) if (String(message) === (options.protocolVersion === 1 ? '#2' : '')) s.pongs++;
      })();
    }
  })();
  void (async () => {
    for await (const { socket, channel } of server.listener('subscription')) s.subscriptions.push(`${s.sockets.indexOf(socket)}:${channel}`);
  })();
  if (options.requireAuthToSubscribe) {
    server.setMiddleware(server.MIDDLEWARE_INBOUND, async (stream) => {
      for await (const action of stream) {
        if (action.type === action.SUBSCRIBE && !action.socket.authToken) {
          action.block(new Error('sign in to subscribe'));
          continue;
        }
        action.allow();
      }
    });
  }
  sc = s;
  return s;
}

const janitor = processJanitor();
const { inProcess, spawn } = janitor;

afterEach(async () => {
  janitor.cleanup();
  await sc?.close();
  sc = undefined;
});

const subscribed = (s: Sc, n: number) => until(() => s.subscriptions.length >= n, `${n} subscriptions at the server`);

describe('evtail socketcluster', () => {
  test.each([1, 2] as const)('protocol version %d: every publish on the subscribed channels, in order, with channel, type and id', async (version) => {
    // Fast server pings: the tail must answer them in this protocol version and count them as signs of life.
    const s = await startSc({ protocolVersion: version, pingInterval: 50, pingTimeout: 400 });
    const args = ['socketcluster', s.url, '--channel', 'news', '--channel', 'prices', '-o', 'ndjson', '-n', '6'];
    if (version === 1) args.push('--protocol-version', '1');
    const p = inProcess(args);
    await subscribed(s, 2);
    await p.waitForStderr(/ready: subscribed to news, prices/);
    s.publish('news', { type: 'headline', id: 'n-1', text: 'Hello' });
    s.publish('prices', { event: 'tick', id: 5, price: 101.5 });
    s.publish('elsewhere', { type: 'not-for-us' });
    s.publish('prices', 'plain string');
    s.publish('news', [1, 2, 3]);
    s.publish('news', { type: 7, text: 'numeric type' });
    await until(() => p.lines.length >= 5, 'five events');
    // The tail answers pings in this protocol version; more than a ping timeout later the same connection still carries events.
    await until(() => s.pongs >= 12, 'twelve pongs at the server');
    s.publish('news', { type: 'headline', id: 'n-2', text: 'Bye' });
    const r = await p.exit();
    expect(r.code).toBe(0);
    const evs = p.events;
    expect(evs.map((e) => [e.type, e.id, e.channel])).toEqual([
      ['headline', 'n-1', 'news'],
      ['tick', '5', 'prices'],
      ['message', undefined, 'prices'],
      ['message', undefined, 'news'],
      ['7', undefined, 'news'],
      ['headline', 'n-2', 'news'],
    ]);
    expect(Object.keys(evs[0]!)).toEqual(['time', 'provider', 'type', 'id', 'channel', 'data']);
    expect(evs[0]).toMatchObject({ provider: 'socketcluster', data: { type: 'headline', id: 'n-1', text: 'Hello' } });
    expect(evs[2]!.data).toBe('plain string');
    expect(evs[3]!.data).toEqual([1, 2, 3]);
    expect(s.connections).toBe(1);
    expect(r.stderr).not.toMatch(/dead link|reconnecting/);
  });

  test('the wrong --protocol-version: the server\'s pings give it away; evtail warns and switches', async () => {
    const s = await startSc({ protocolVersion: 1, pingInterval: 50, pingTimeout: 2000 });
    const p = inProcess(['socketcluster', s.url, '--channel', 'news', '-o', 'ndjson', '-n', '1']);
    await p.waitForStderr(/protocol version 1 \(pass --protocol-version 1\)/);
    await until(() => s.connections === 2 && s.subscriptions.includes('1:news'), 'the second connection subscribed');
    // The first connection never answered a ping; the second one does.
    await until(() => s.pongs >= 2, 'pongs from the second connection');
    s.publish('news', { type: 'headline' });
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(s.connections).toBe(2);
    // The #1 that gave the version away is a ping, not a frame that failed to decode.
    expect(r.stderr).not.toMatch(/did not decode/);
  });

  test('a close code of 4500 or more is permanent: exit 5 with the code and reason, no reconnection', async () => {
    const s = await startSc();
    const p = inProcess(['socketcluster', s.url, '--channel', 'news', '-o', 'ndjson']);
    await subscribed(s, 1);
    s.publish('news', { id: 1 });
    await p.waitForLines(1);
    s.sockets[0]!.disconnect(4567, 'banned from this server');
    const r = await p.exit();
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/error: the server closed with code 4567: banned from this server, a permanent close/);
    expect(r.stderr).not.toMatch(/reconnecting in/);
    expect(s.connections).toBe(1);
  });

  test('the server drops the connection: evtail reconnects, subscribes again and goes on', async () => {
    const s = await startSc();
    const p = inProcess(['socketcluster', s.url, '--channel', 'a', 'b', '-o', 'ndjson', '-n', '6']);
    await subscribed(s, 2);
    s.publish('a', { id: 1 });
    s.publish('b', { id: 2 });
    s.publish('a', { id: 3 });
    await p.waitForLines(3);
    s.sockets[0]!.disconnect(1011, 'restarting');
    await subscribed(s, 4);
    s.publish('b', { id: 4 });
    s.publish('a', { id: 5 });
    s.publish('b', { id: 6 });
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(p.events.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(s.connections).toBe(2);
    expect([...s.subscriptions].sort()).toEqual(['0:a', '0:b', '1:a', '1:b']);
    expect(r.stderr).toMatch(/reconnecting in .*closed with code 1011 \(server error\): restarting/);
  });

  test('--auth-token: a valid JWT subscribes where auth is required, and stays out of --verbose', async () => {
    const s = await startSc({ authKey: 'test-signing-key', requireAuthToSubscribe: true });
    const token = (await s.server.auth.signToken({ username: 'ann' }, 'test-signing-key', {}))!;
    const p = inProcess(['socketcluster', s.url, '--channel', 'private', '--auth-token', token, '-o', 'ndjson', '-n', '1', '-v']);
    await subscribed(s, 1);
    s.publish('private', { type: 'secret-news', id: 'p1' });
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(p.events[0]).toMatchObject({ type: 'secret-news', channel: 'private' });
    expect(r.stderr).toMatch(/authenticated/);
    expect(r.stderr).toMatch(/"authToken":"\*\*\*"/);
    expect(r.stderr).not.toContain(token);
  });

  test('a token the server issues is kept for the reconnection and never shown', async () => {
    const s = await startSc({ authKey: 'test-signing-key', issueToken: true });
    const p = inProcess(['socketcluster', s.url, '--channel', 'news', '-o', 'ndjson', '-n', '1', '-v']);
    await until(() => s.issued.length === 1, 'a token issued');
    await subscribed(s, 1);
    await p.waitForStderr(/#setAuthToken/);
    s.sockets[0]!.disconnect(1011, 'restarting');
    await subscribed(s, 2);
    s.publish('news', { type: 'after' });
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(s.authUsers).toEqual([null, 'bob']);
    expect(s.issued).toHaveLength(1);
    expect(r.stderr).not.toContain(s.issued[0]!);
    expect(r.stderr).toMatch(/"authToken":"\*\*\*"/);
  });

  test('a bad auth token: exit 3, never retried', async () => {
    const s = await startSc({ authKey: 'test-signing-key' });
    const bad = (await s.server.auth.signToken({ username: 'ann' }, 'some-other-key', {}))!;
    const r = await runInProcess(['socketcluster', s.url, '--channel', 'news', '--auth-token', bad]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refused the auth token: .*invalid signature/i);
    expect(s.connections).toBe(1);
  });

  test('a refused subscription: exit 3 with the server reason', async () => {
    const s = await startSc({ requireAuthToSubscribe: true });
    const r = await runInProcess(['socketcluster', s.url, '--channel', 'private']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refused the subscription to "private": sign in to subscribe/);
    expect(s.connections).toBe(1);
  });

  test('20 000 publishes into a slow reader arrive complete and in order', async () => {
    const s = await startSc();
    const child = spawn('bash', ['-c', `node "${BIN}" socketcluster ${s.url} --channel flood -o ndjson -n 20000 -q | (sleep 2; awk 'END { print NR; print $0 }')`], { cwd: ROOT, env: baseEnv() });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await subscribed(s, 1);
    for (let i = 1; i <= 20_000; i++) s.publish('flood', { type: 'n', id: i, pad: 'x'.repeat(100) });
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
    const [count, last] = out.trim().split('\n');
    expect(count).toBe('20000');
    expect(JSON.parse(last!).id).toBe('20000');
    expect(s.connections).toBe(1);
  }, 30_000);

  test('usage: a missing --channel is exit 2; a wrong path is exit 5 with a hint', async () => {
    const r1 = await runInProcess(['socketcluster', 'ws://127.0.0.1:9/socketcluster/']);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/--channel/);
    const s = await startSc();
    const r2 = await runInProcess(['socketcluster', s.url.replace('/socketcluster/', '/wrong/'), '--channel', 'x']);
    expect(r2.code).toBe(5);
    expect(r2.stderr).toMatch(/HTTP 400/);
    expect(r2.stderr).toMatch(/\/socketcluster\//);
  });
});
