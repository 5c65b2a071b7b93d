/**
 * --forward-to end to end: the CLI (its main(), in-process; spawned where the process is the point) against the
 * providers' mocks (demo), a plain ws server and a real HTTP handler on loopback. Stdout, stderr, exit codes, the dead-letter file and `replay --forward-to`.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import WebSocket, { WebSocketServer } from 'ws';
import { baseEnv, processJanitor, runInProcess } from '../helpers/evtail.js';
import { WebhookServer } from '../helpers/webhook-server.js';

const janitor = processJanitor();
let servers: { close(): Promise<void> }[] = [];

afterEach(async () => {
  janitor.cleanup();
  for (const s of servers.splice(0)) await s.close();
});

async function handler(): Promise<WebhookServer> {
  const s = await WebhookServer.start();
  servers.push(s);
  return s;
}

const tmp = () => mkdtempSync(path.join(tmpdir(), 'evtail-fwd-'));
const providers = ['tweetcatcher', 'doshii', 'push', 'streamelements', 'webinate'] as const;

describe('--forward-to', () => {
  test.each(providers)('evtail demo %s --forward-to: each body is the NDJSON line printed, in order; exit 0', async (p) => {
    const h = await handler();
    const r = await runInProcess(['demo', p, '--rate', '100', '-n', '5', '-o', 'ndjson', '--forward-to', `localhost:${h.port}/${p}`, '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(5);
    expect(h.received.map((x) => x.body)).toEqual(r.lines);
    expect(h.received.every((x) => x.url === `/${p}` && x.headers['evtail-provider'] === p)).toBe(true);
    expect(h.received.map((x) => x.headers['evtail-event-type'])).toEqual(r.lines.map((l) => JSON.parse(l).type));
  });

  test('a handler that refuses (400): reported, kept as dead letters, exit 7; no secret in any output', async () => {
    const h = await handler();
    h.answer = () => ({ status: 400, body: 'no thanks' });
    const dir = tmp();
    const dead = path.join(dir, 'dead.ndjson');
    const secretFile = path.join(dir, 'secret');
    writeFileSync(secretFile, 'whsec_file_secret_42\n');
    const args = ['demo', 'tweetcatcher', '--rate', '100', '-n', '3', '-o', 'ndjson', '--stats', '-v', '--forward-to', `http://hookuser:hookpass99@127.0.0.1:${h.port}/hook?token=querysecret77`];
    const r = await runInProcess([...args, '--forward-secret-file', secretFile, '--forward-header', 'Authorization: Bearer hdrsecret55', '--forward-dead-letter', dead]);
    expect(r.code).toBe(7);
    expect(h.received).toHaveLength(3);
    expect(h.received[0]!.headers['authorization']).toBe('Bearer hdrsecret55');
    expect(h.received[0]!.headers['evtail-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(r.stderr).toMatch(/event twitter\.post\.new \S+ not delivered: 400, not retried \(Bad Request\): no thanks/);
    expect(r.stderr).toMatch(/error: 3 events could not be delivered/);
    expect(r.stderr).toContain(`hint: send them again when the handler is fixed: evtail replay ${dead} --forward-to http://***@127.0.0.1:${h.port}/hook?token=***`);
    const stats = JSON.parse(r.lines.at(-1)!.startsWith('{"evtail":"stats"') ? r.lines.at(-1)! : r.stderr.trim().split('\n').at(-1)!);
    expect(stats.forward[0]).toMatchObject({ delivered: 0, failed: 3, retried: 0 });
    expect(stats.exitCode).toBe(7);
    const deadText = readFileSync(dead, 'utf8');
    expect(deadText.trim().split('\n')).toHaveLength(3);
    expect(statSync(dead).mode & 0o777).toBe(0o600);
    for (const text of [r.stdout, r.stderr, deadText]) {
      for (const secret of ['whsec_file_secret_42', 'hdrsecret55', 'hookpass99', 'querysecret77']) expect(text).not.toContain(secret);
    }
  });

  test('a dead target: every event goes to the dead-letter file, and replay --forward-to delivers them later', async () => {
    const gone = await WebhookServer.start();
    const port = gone.port;
    await gone.close();
    const dir = tmp();
    const dead = path.join(dir, 'dead.ndjson');
    const r = await runInProcess(['demo', 'doshii', '--rate', '100', '-n', '4', '-o', 'ndjson', '-q', '--forward-to', `127.0.0.1:${port}/doshii`, '--forward-retries', '1', '--forward-dead-letter', dead]);
    expect(r.code).toBe(7);
    expect(r.lines).toHaveLength(4);
    const deadLines = readFileSync(dead, 'utf8').trim().split('\n');
    expect(deadLines.map((l) => JSON.stringify(JSON.parse(l).event))).toEqual(r.lines.map((l) => JSON.stringify(JSON.parse(l))));
    expect(JSON.parse(deadLines[0]!).deadLetter.reason).toMatch(/ECONNREFUSED.*gave up after 1 retry/);

    const h = await handler();
    const again = await runInProcess(['replay', dead, '--forward-to', `localhost:${h.port}/doshii`, '-o', 'ndjson', '-q']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(h.received.map((x) => x.body)).toEqual(r.lines);
    expect(again.lines).toEqual(r.lines);
  });

  test('replay of a --record file takes --forward-to too', async () => {
    const h = await handler();
    const r = await runInProcess(['replay', 'fixtures/doshii/recording.ndjson', '--as-fast-as-possible', '-o', 'ndjson', '--forward-to', `localhost:${h.port}/x`, '-q']);
    expect(r.code).toBe(0);
    expect(r.lines.length).toBeGreaterThan(0);
    expect(h.received.map((x) => x.body)).toEqual(r.lines);
  });

  test('usage errors: a URL that is not http(s), a header without a colon: exit 2 in one line', async () => {
    const a = await runInProcess(['demo', '--forward-to', 'ftp://example.com/x', '-n', '1']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--forward-to: expected an http:\/\/ or https:\/\/ URL/);
    const b = await runInProcess(['demo', '--forward-to', 'localhost:1/x', '--forward-header', 'NoColonSecret', '-n', '1']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--forward-header: expected "Name: value"/);
    expect(b.stderr).not.toContain('NoColonSecret');
  });

  test('at a terminal each event line ends with the handler\'s answer', async () => {
    const h = await handler();
    h.answer = (req) => (req.n === 2 ? { status: 503 } : { status: 200 });
    const cmd = `node bin/evtail.js demo tweetcatcher --rate 50 -n 3 -q --no-color --forward-to localhost:${h.port}/x`;
    const child = janitor.spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: process.cwd(), env: baseEnv({ TERM: 'xterm', COLUMNS: '160' }) });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    // What the screen shows: each \r-rewritten line as it ends.
    const screen = out.split('\n').map((l) => l.split('\r').filter((s) => s.trim()).at(-1) ?? '').filter((l) => l.includes('twitter.post.new'));
    expect(screen).toHaveLength(3);
    expect(screen[0]).toMatch(/ → 200 in \d+ms(\x1b\[K)?$/);
    expect(screen[1]).toMatch(/ → 200 in \d+ms after 1 retry(\x1b\[K)?$/);
    expect(out).toMatch(/→ 503, retry 1 in \d/);
  });

  // By default the handler takes 50 ms per request for the first 2 s: the tail falls behind, the server floods
  // meanwhile, and the socket is seen paused; then it answers at once, so the test takes seconds. The scenario
  // as written (50 ms for every one of the 20,000 requests, one at a time: about 17 minutes) is the same test with
  // EVTAIL_FORWARD_FLOOD=literal; it is run by hand, not by npm test (docs/forwarding.md has its last result).
  const literal = process.env.EVTAIL_FORWARD_FLOOD === 'literal';
  test(`a 50 ms handler (${literal ? 'every request' : 'for the first 2 s'}) against a 20,000-event flood: all delivered in order, the socket paused, peak RSS < 150 MB`, async () => {
    const h = await handler();
    const slowUntil = literal ? Infinity : Date.now() + 2000;
    h.answer = () => (Date.now() < slowUntil ? { status: 200, delayMs: 50 } : { status: 200 });
    const N = 20_000;
    const pad = 'x'.repeat(400);
    let maxBuffered = 0;
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    servers.push({ close: () => new Promise<void>((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(() => resolve()); }) });
    wss.on('connection', (ws) => {
      let i = 0;
      const pump = () => {
        while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount < 4 << 20 && i < N) {
          i++;
          ws.send(`{"type":"tick","n":${i},"pad":"${pad}"}`);
        }
        maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
        if (i < N && ws.readyState === WebSocket.OPEN) setTimeout(pump, 5);
      };
      pump();
    });
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
    // Spawned: the peak RSS is the process's own (/proc/<pid>/status).
    const p = janitor.evtail(['ws', url, '-n', String(N), '-o', 'ndjson', '-q', '--forward-to', `localhost:${h.port}/hook`]);
    let peakKb = 0;
    const watch = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited
      }
    }, 200);
    const started = Date.now();
    const r = await p.exit(literal ? 40 * 60_000 : 170_000).finally(() => clearInterval(watch));
    if (literal) process.stderr.write(`literal forward flood: ${h.received.length} delivered in ${((Date.now() - started) / 1000).toFixed(0)} s, peak RSS ${(peakKb / 1024).toFixed(0)} MB, server's buffered amount up to ${(maxBuffered / 1048576).toFixed(1)} MiB\n`);
    expect(r.code).toBe(0);
    expect(h.received).toHaveLength(N);
    const ns = h.received.map((x) => JSON.parse(x.body).data.n as number);
    expect(ns.every((n, i) => n === i + 1)).toBe(true);
    expect(maxBuffered).toBeGreaterThan(1 << 20);
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb).toBeLessThan(150 * 1024);
  }, literal ? 45 * 60_000 : 180_000);
});
