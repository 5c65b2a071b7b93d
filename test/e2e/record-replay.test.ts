/** --record and `evtail replay`: a live run and the replay of its recording print the same NDJSON (but time). */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { attach, type AGServerSocket } from 'socketcluster-server';
import WebSocket, { WebSocketServer } from 'ws';
import { baseEnv, ROOT, runInProcess } from '../helpers/evtail.js';

/** A provider's mock, or the tiny server a generic client (ws, socketcluster) is tested against. */
interface Server {
  url: string;
  close(): Promise<void>;
  /** A credential the server made up (a signed JWT). */
  token?: string;
  /** Secrets handed out during the run (reconnect tokens). */
  issued?(): string[];
}

interface Case {
  provider: string;
  /** What the case shows, when one provider has more than one. */
  label?: string;
  start(): Promise<Server>;
  args(server: Server): string[];
  /** What must never reach the recording (the credentials given on the command line, in every form). */
  secrets(server: Server): string[];
  /** Environment of the replay: decoding options a replay takes from the environment (EVTAIL_TYPE_PATH). */
  replayEnv?: Record<string, string>;
  /** The server sends frames that do not decode (ws decodes every frame). */
  malformed: boolean;
}

const DOSHII_CLIENT = 'record-doshii-client~>?';

/** A plain ws server: a greeting, an answer to each subscribe we send, then JSON, text, a broken frame, an array, binary... */
async function startPlainWs(): Promise<Server> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as { port: number }).port;
  const frames = [
    JSON.stringify({ type: 'trade', id: 't-1', data: { kind: 'buy', price: 64012.5 } }),
    'heartbeat',
    JSON.stringify({ op: 7, d: { kind: 'sell' } }),
    '{"type":"trade","id":',
    JSON.stringify([1, 2, 3]),
    JSON.stringify({ id: 42, data: { kind: 'cancel' } }),
    '',
    Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x80]),
  ];
  wss.on('connection', (ws) => {
    let i = 0;
    ws.on('message', (m) => {
      if (m.toString().includes('"subscribe"')) ws.send(JSON.stringify({ event: 'subscribed', channel: 'trades', data: { kind: 'ack' } }));
    });
    ws.send(JSON.stringify({ type: 'welcome' }));
    const t = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return clearInterval(t);
      ws.send(frames[i++ % frames.length]!);
    }, 15);
    ws.on('close', () => clearInterval(t));
  });
  return {
    url: `ws://127.0.0.1:${port}/stream?token=record-ws-secret`,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

/**
 * A socketcluster-server (protocol 2, pinging every 50 ms) that wants a signed token; once a client subscribes to
 * news: publishes on both channels, a transmit that is no publish, a broken frame, a batch, a publish without a
 * channel, then headlines until the client leaves.
 */
async function startSocketCluster(): Promise<Server> {
  const httpServer = http.createServer();
  const server = attach(httpServer, { protocolVersion: 2, authKey: 'record-sc-auth-key', pingInterval: 50, pingTimeout: 20_000 });
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', () => r()));
  const port = (httpServer.address() as { port: number }).port;
  const sockets: AGServerSocket[] = [];
  const publish = (channel: string, data: unknown) => void server.exchange.transmitPublish(channel, data);
  void (async () => {
    for await (const { socket } of server.listener('connection')) sockets.push(socket);
  })();
  void (async () => {
    for await (const { socket, channel } of server.listener('subscription')) {
      if (channel !== 'news') continue;
      const steps = [
        () => publish('news', { type: 'headline', id: 'n-1', text: 'Markets open higher' }),
        () => publish('trades', { event: 'tick', id: 1, price: 101.5 }),
        () => socket.send(JSON.stringify({ event: 'notice', data: { text: 'maintenance at 02:00' } }), {}),
        () => socket.send('{"event":"#publish","data":{"channel":', {}),
        () => socket.send(JSON.stringify([{ event: '#publish', data: { channel: 'news', data: 'plain text' } }, { rid: 99 }, { event: '#publish', data: { channel: 'trades', data: { type: 'tick', id: 2 } } }]), {}),
        () => socket.send(JSON.stringify({ event: '#publish', data: { data: 'no channel' } }), {}),
        () => publish('trades', [1, 2]),
      ];
      let i = 0;
      const t = setInterval(() => {
        if (socket.state !== socket.OPEN) return clearInterval(t);
        if (i < steps.length) steps[i++]!();
        else publish('news', { type: 'headline', id: `n-${++i}` });
      }, 25);
    }
  })();
  const token = await server.auth.signToken({ username: 'recorder' }, 'record-sc-auth-key', {});
  return {
    url: `ws://127.0.0.1:${port}/socketcluster/`,
    token,
    close: async () => {
      server.closeAllListeners();
      for (const sock of sockets) sock.disconnect(1001);
      await server.close(true);
      httpServer.closeAllConnections();
      await new Promise<void>((r) => httpServer.close(() => r()));
    },
  };
}

const cases: Case[] = [
  {
    provider: 'tweetcatcher',
    malformed: true,
    secrets: () => ['record-secret-token'],
    start: async () => (await import('../../src/providers/tweetcatcher/mock.js')).startTweetCatcherMock({ host: '127.0.0.1', port: 0, rate: 100, token: ['record-secret-token'], eventFormat: 'mixed', malformedAfter: 3 }),
    args: (m) => ['tweetcatcher', '--url', m.url, '--token', 'record-secret-token'],
  },
  {
    // Pongs in both shapes, server pings answered, a malformed frame.
    provider: 'doshii',
    malformed: true,
    secrets: () => [DOSHII_CLIENT, Buffer.from(DOSHII_CLIENT).toString('base64')],
    start: async () =>
      (await import('../../src/providers/doshii/mock.js')).startDoshiiMock({ host: '127.0.0.1', port: 0, rate: 50, clientId: [DOSHII_CLIENT], envelope: 'mixed', pongShape: 'mixed', serverPingInterval: 30, malformedAfter: 3 }),
    args: (m) => ['doshii', '--url', m.url, '--client-id', DOSHII_CLIENT, '--heartbeat-interval', '40ms'],
  },
  {
    // registerUser, #subscribe, #1/#2, a sent message and its echo, messages to another urn (skipped), a malformed frame.
    // Push has no secret option: the channel UUID and API URL are in every embed code.
    provider: 'push',
    malformed: true,
    secrets: () => [],
    start: async () => (await import('../../src/providers/push/mock.js')).startPushMock({ host: '127.0.0.1', port: 0, rate: 50, strayEvery: 2, malformedAfter: 3, pingInterval: 30 }),
    args: (m) => ['push', '--url', m.url, '--channel-uuid', '9f4c2b1e-7a3d-4e5f-8b6a-0c1d2e3f4a5b', '--host-api', 'https://push.example.org', '--send', 'hello'],
  },
  {
    // welcome, two paced subscriptions and their responses, a malformed frame, a reconnect (its token masked) and a restored connection.
    provider: 'streamelements',
    malformed: true,
    secrets: (m) => ['record-se-token', ...(m.issued?.() ?? [])],
    start: async () => {
      const mock = await (await import('../../src/providers/streamelements/mock.js')).startStreamElementsMock({ host: '127.0.0.1', port: 0, rate: 50, token: ['record-se-token'], reconnectAfter: 3, malformedAfter: 2, faulty: 1 });
      return Object.assign(mock, { issued: () => mock.issuedReconnectTokens });
    },
    args: (m) => ['streamelements', '--url', m.url, '--token', 'record-se-token', '--topic', 'channel.activities', '--topic', 'channel.tips', '--room', 'record-room'],
  },
  {
    // Both generations, an echo and a MetaRequest (sent, then answered), a malformed and a binary frame.
    provider: 'webinate',
    malformed: true,
    secrets: () => ['record-webinate-key'],
    start: async () => (await import('../../src/providers/webinate/mock.js')).startWebinateMock({ host: '127.0.0.1', port: 0, rate: 15, generation: 'mixed', malformedAfter: 2, binaryAfter: 3, socketApiKey: 'record-webinate-key' }),
    args: (m) => ['webinate', '--url', m.url, '--api-key', 'record-webinate-key', '--echo', 'hello', '--send', '{"eventType":9,"username":"alice","property":"plan"}', '--send-delay', '50ms'],
  },
  {
    // --send frames (one carries the credential), JSON objects, text, an array, a broken frame, an empty one.
    provider: 'ws',
    malformed: false,
    secrets: () => ['record-ws-secret'],
    start: startPlainWs,
    args: (m) => ['ws', m.url, '--header', 'Authorization: Bearer record-ws-secret', '--send', '{"op":"auth","token":"record-ws-secret"}', '--send', '{"event":"subscribe"}'],
  },
  {
    // The type found at --type-path: the recording keeps the option, so the replay decodes the same way unaided.
    provider: 'ws',
    malformed: false,
    label: 'ws --type-path',
    secrets: () => ['record-ws-secret'],
    start: startPlainWs,
    args: (m) => ['ws', m.url, '--header', 'Authorization: Bearer record-ws-secret', '--send', '{"event":"subscribe"}', '--type-path', 'data.kind'],
  },
  {
    // Handshake with a signed token, two subscriptions, protocol 2 pings, a transmit, a batch, a broken frame, a publish without a channel.
    provider: 'socketcluster',
    malformed: true,
    secrets: (m) => [m.token!],
    start: startSocketCluster,
    args: (m) => ['socketcluster', m.url, '--channel', 'news', '--channel', 'trades', '--auth-token', m.token!],
  },
];

let mock: Server | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const withoutTime = (line: string) => {
  const { time: _t, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return rest;
};

const undecodable = (stderr: string) => stderr.split('\n').filter((l) => /a frame did not decode/.test(l)).length;

describe.each(cases.map((c) => ({ ...c, label: c.label ?? c.provider })))('record and replay: $label', (c) => {
  test('the replay prints what the live run printed; secrets are not in the recording', async () => {
    mock = await c.start();
    const dir = mkdtempSync(path.join(tmpdir(), 'evtail-rec-'));
    const file = path.join(dir, 'rec.ndjson');
    const live = await runInProcess([...c.args(mock), '-o', 'ndjson', '-n', '6', '--record', file]);
    expect(live.code).toBe(0);
    expect(live.lines).toHaveLength(6);
    const recording = readFileSync(file, 'utf8');
    for (const secret of c.secrets(mock)) expect(recording).not.toContain(secret);
    expect(statSync(file).mode & 0o077).toBe(0);
    const recs = recording.trim().split('\n').map((l) => JSON.parse(l));
    expect(recs[0]).toMatchObject({ provider: c.provider, dir: 'meta' });
    expect(recs.some((r) => r.dir === 'out')).toBe(true);
    expect(recs.filter((r) => r.dir === 'in').length).toBeGreaterThanOrEqual(6);

    const env = baseEnv(c.replayEnv);
    const replay = await runInProcess(['replay', file, '--as-fast-as-possible', '-o', 'ndjson'], { env });
    expect(replay.code).toBe(0);
    expect(replay.lines.map(withoutTime)).toEqual(live.lines.map(withoutTime));
    // What did not decode live does not decode in the replay either.
    if (c.malformed) expect(undecodable(live.stderr)).toBeGreaterThan(0);
    expect(undecodable(replay.stderr)).toBe(undecodable(live.stderr));
    // Events keep the time they were recorded.
    const inTimes = new Set(recs.filter((r) => r.dir === 'in').map((r) => r.t));
    for (const l of replay.lines) expect(inTimes.has(JSON.parse(l).time)).toBe(true);
    // The same filters and formats apply.
    const filtered = await runInProcess(['replay', file, '--as-fast-as-possible', '-o', 'ndjson', '-n', '2'], { env });
    expect(filtered.lines.map(withoutTime)).toEqual(live.lines.slice(0, 2).map(withoutTime));
  });
});

describe('replay of the recordings kept in fixtures/', () => {
  const dirs = ['tweetcatcher', 'doshii', 'push', 'streamelements', 'webinate', 'ws', 'socketcluster'].filter((p) => {
    try {
      statSync(path.join(ROOT, 'fixtures', p, 'recording.ndjson'));
      return true;
    } catch {
      return false;
    }
  });
  test.each(dirs)('%s: the same NDJSON as the live run that recorded it', async (p) => {
    const expected = readFileSync(path.join(ROOT, 'fixtures', p, 'recording.expected.ndjson'), 'utf8').trim().split('\n');
    const r = await runInProcess(['replay', path.join(ROOT, 'fixtures', p, 'recording.ndjson'), '--as-fast-as-possible', '-o', 'ndjson', '-q']);
    expect(r.code).toBe(0);
    expect(r.lines.map(withoutTime)).toEqual(expected.map(withoutTime));
  });
});

describe('replay options', () => {
  test('a file that is not a recording: exit 2 naming the line', async () => {
    const r = await runInProcess(['replay', path.join(ROOT, 'package.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/package\.json:1: not a --record line/);
  });
  test('a missing file: exit 2', async () => {
    const r = await runInProcess(['replay', '/nonexistent.ndjson']);
    expect(r.code).toBe(2);
  });
  test('--speed must be positive', async () => {
    const r = await runInProcess(['replay', path.join(ROOT, 'fixtures/tweetcatcher/recording.ndjson'), '--speed', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--speed: expected a factor > 0/);
  });
  // That --speed scales the recorded gaps is test/unit/replay-driver.test.ts (a fake clock, no timing here).
  test('--speed 50 replays the recording; pretty works too', async () => {
    const r = await runInProcess(['replay', path.join(ROOT, 'fixtures/tweetcatcher/recording.ndjson'), '--speed', '50', '-o', 'pretty', '-n', '3']);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(3);
    expect(r.lines[0]).toMatch(/tweetcatcher/);
  });
});

describe('relative paths', () => {
  test("are taken from the run's working directory (io.cwd), not the process's: --token-file, --record, replay's file", async () => {
    const { startTweetCatcherMock } = await import('../../src/providers/tweetcatcher/mock.js');
    const mock = await startTweetCatcherMock({ host: '127.0.0.1', port: 0, rate: 100, token: ['cwd-token-77'] });
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'evtail-cwd-'));
      writeFileSync(path.join(dir, 'tok'), 'cwd-token-77\n');
      const live = await runInProcess(['tweetcatcher', '--url', mock.url, '--token-file', 'tok', '--record', 'rec.ndjson', '-n', '3', '-o', 'ndjson', '-q'], { cwd: dir });
      expect(live.stderr).toBe('');
      expect(live.code).toBe(0);
      expect(statSync(path.join(dir, 'rec.ndjson')).size).toBeGreaterThan(0);
      expect(() => statSync(path.join(ROOT, 'rec.ndjson'))).toThrow();
      const replayed = await runInProcess(['replay', 'rec.ndjson', '--as-fast-as-possible', '-o', 'ndjson', '-q'], { cwd: dir });
      expect(replayed.code).toBe(0);
      expect(replayed.lines.map(withoutTime)).toEqual(live.lines.map(withoutTime));
    } finally {
      await mock.close();
    }
  });
});
