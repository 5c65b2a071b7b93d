/**
 * --publish end to end: the CLI (its main(), in-process; spawned where the process is the point) against a real
 * `nats-server -js` on loopback (started here) and real WebSocket sources: the demo mock, and a broadcasting server
 * that sends the same events to every client, as a provider does to two evtail instances tailing the same source.
 */
import { once } from 'node:events';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NatsConnection } from 'nats';
import { WebSocketServer, type WebSocket } from 'ws';
import { ensureStream } from '../../src/publish/nats-init.js';
import { processJanitor, runInProcess } from '../helpers/evtail.js';
import { NatsServer, readStream, waitForMessages } from '../helpers/nats-server.js';

const janitor = processJanitor();
let server: NatsServer;
let nc: NatsConnection;
let n = 0;

beforeAll(async () => {
  server = await new NatsServer().start();
  nc = await server.connect();
});
afterEach(() => janitor.cleanup());
afterAll(async () => {
  await nc?.close();
  await server?.close();
});

async function freshStream(): Promise<{ name: string; prefix: string }> {
  n += 1;
  await ensureStream(nc, { name: `E${n}`, subjects: [`e${n}.>`], duplicateWindowMs: 120_000, storage: 'file', replicas: 1 });
  return { name: `E${n}`, prefix: `e${n}` };
}

/**
 * A source that sends the same numbered events to every connected client once `clients` are connected, `batch`
 * every tick of the event loop timer, `total` in all: what two evtail instances on one provider receive.
 */
async function broadcaster(clients: number, total: number, batch = 20): Promise<{ url: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const conns = new Set<WebSocket>();
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    for (let i = 0; i < batch && sent < total; i++) {
      sent += 1;
      const frame = JSON.stringify({ type: 'tick.n', id: `t${sent}`, n: sent });
      for (const c of conns) c.send(frame);
    }
    if (sent < total) timer = setTimeout(tick, 5);
  };
  wss.on('connection', (ws) => {
    conns.add(ws);
    ws.on('close', () => conns.delete(ws));
    ws.on('error', () => undefined);
    if (conns.size === clients && sent === 0) tick();
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        if (timer) clearTimeout(timer);
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

test('stdout and the stream carry the same events, in order, each once; --stats counts them', async () => {
  const { name, prefix } = await freshStream();
  const run = await runInProcess(['demo', '--rate', '0', '-n', '300', '-o', 'ndjson', '--stats', '--publish', `${server.url}/${prefix}.{provider}.{type}`]);
  expect(run.code).toBe(0);
  const got = await readStream(nc, name);
  expect(got.map((m) => m.data)).toEqual(run.lines);
  expect(got.map((m) => m.subject)).toEqual(run.lines.map((l) => `${prefix}.tweetcatcher.${(JSON.parse(l) as { type: string }).type}`));
  expect(got.map((m) => m.msgId)).toEqual(run.lines.map((l) => `tweetcatcher:tweetcatcher:${(JSON.parse(l) as { id: string }).id}`));
  expect(run.stderr).toMatch(/"publish":\{"published":300,"duplicates":0,/);
});

test('two instances on the same source, one stream: the consumer sees each event exactly once', async () => {
  const { name, prefix } = await freshStream();
  const source = await broadcaster(2, 1000);
  try {
    const args = ['ws', source.url, '-n', '1000', '-o', 'ndjson', '--publish', `${server.url}/${prefix}.{type}`];
    const [a, b] = await Promise.all([runInProcess(args), runInProcess(args)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.lines).toHaveLength(1000);
    const got = await readStream(nc, name);
    expect(got.map((m) => (JSON.parse(m.data) as { id: string }).id)).toEqual(Array.from({ length: 1000 }, (_, i) => `t${i + 1}`));
  } finally {
    await source.close();
  }
});

test('one of two instances killed with SIGKILL mid-stream while the other goes on: nothing lost, no duplicates', async () => {
  const { name, prefix } = await freshStream();
  const total = 3000;
  const source = await broadcaster(2, total, 10);
  try {
    const args = ['ws', source.url, '-n', String(total), '-o', 'ndjson', '--publish', `${server.url}/${prefix}.{type}`];
    // Spawned: SIGKILL ends a process, not a call.
    const a = janitor.evtail(args);
    const b = janitor.evtail(args);
    await waitForMessages(nc, name, 300);
    a.kill('SIGKILL');
    const killed = await a.exit();
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.lines.length).toBeLessThan(total);
    const done = await b.exit(30_000);
    expect(done.code).toBe(0);
    const ids = (await readStream(nc, name)).map((m) => (JSON.parse(m.data) as { data: { n: number } }).data.n);
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
  } finally {
    await source.close();
  }
});

test('the NATS server restarted mid-stream: every event still arrives once, memory stays bounded', async () => {
  const { name, prefix } = await freshStream();
  const total = 6000;
  // Spawned: the memory bound is the process's own peak RSS (/proc/<pid>/status).
  const p = janitor.evtail(['demo', '--rate', '0', '-n', String(total), '-o', 'ndjson', '--stats', '--publish-buffer', '256KiB', '--publish', `${server.url}/${prefix}.{type}`]);
  let peakKiB = 0;
  const sample = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p.child.pid}/status`, 'utf8'));
      if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
    } catch {
      // exited
    }
  }, 20);
  try {
    await waitForMessages(nc, name, 1000, 30_000);
    // The test's own client goes first: closed while it waits to reconnect, its wait would outlive the test.
    await nc.close();
    await server.restart();
    nc = await server.connect();
    const done = await p.exit(60_000);
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/--publish nats:\/\/127\.0\.0\.1:\d+\/\S+: (lost the connection|no acknowledgement|cannot reach)/);
    expect(done.stderr).toMatch(/publishing again after/);
    expect(done.stderr).toMatch(/"outages":[1-9]/);
    const got = await readStream(nc, name);
    expect(got).toHaveLength(total);
    expect(new Set(got.map((m) => m.msgId)).size).toBe(total);
    expect(new Set(got.map((m) => m.data))).toEqual(new Set(done.lines));
    expect(peakKiB).toBeGreaterThan(0);
    expect(peakKiB).toBeLessThan(150 * 1024);
  } finally {
    clearInterval(sample);
  }
}, 90_000);

describe('credentials', () => {
  let locked: NatsServer;
  let dir: string;
  beforeAll(async () => {
    locked = await new NatsServer({ user: 'evtail', pass: 'right-pass-123' }).start();
    dir = mkdtempSync(path.join(tmpdir(), 'evtail-pub-'));
  });
  afterAll(async () => {
    await locked?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('bad credentials: a clear error, exit 3, the password shown nowhere', async () => {
    const run = await runInProcess(['demo', '-n', '1', '--publish', `nats://evtail:wrong-pass-456@127.0.0.1:${locked.port}/ev.{type}`]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/evtail: error: --publish nats:\/\/\*\*\*@127\.0\.0\.1:\d+\/ev\.\{type\}: the NATS server refused the credentials/);
    expect(run.stderr).toMatch(/hint: check the user:password or token/);
    expect(run.stdout).toBe('');
    expect(run.stderr + run.stdout).not.toContain('wrong-pass-456');
  });

  test('evtail nats init creates the stream with its duplicate window; then the right credentials publish', async () => {
    const url = `nats://evtail:right-pass-123@127.0.0.1:${locked.port}/ev.{provider}.{type}`;
    const init = await runInProcess(['nats', 'init', url, '--stream', 'EVENTS', '--duplicate-window', '10m']);
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/stream EVENTS created: subjects ev\.\*\.>, duplicate window 10m,/);
    const run = await runInProcess(['demo', '-n', '3', '--rate', '50', '-o', 'ndjson', '--publish', url]);
    expect(run.code).toBe(0);
    const admin = await locked.connect();
    try {
      const info = await (await admin.jetstreamManager()).streams.info('EVENTS');
      expect(info.config.duplicate_window).toBe(600 * 1e9);
      expect((await readStream(admin, 'EVENTS')).map((m) => m.data)).toEqual(run.lines);
    } finally {
      await admin.close();
    }
  });

  test('a publish that never succeeds is given up at the end of the run: exit 7, said on stderr', async () => {
    const run = await runInProcess(['demo', '-n', '2', '--rate', '50', '--publish-timeout', '500ms', '--publish', `nats://evtail:right-pass-123@127.0.0.1:${locked.port}/nostream.here`]);
    expect(run.code).toBe(7);
    expect(run.stderr).toMatch(/no JetStream stream takes subject "nostream\.here" \(create one: evtail nats init\)/);
    expect(run.stderr).toMatch(/2 events not delivered to --publish nats:\/\/\*\*\*@127\.0\.0\.1:\d+\/nostream\.here/);
  });
});

test('a bad --publish URL is a usage error before anything connects', async () => {
  const run = await runInProcess(['demo', '-n', '1', '--publish', 'nats://127.0.0.1:4222/events.{kind}']);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/unknown placeholder \{kind\}/);
});
