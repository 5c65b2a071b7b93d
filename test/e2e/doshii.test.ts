/** End to end: the CLI (its main(), in-process; spawned where the process is the point) against the Doshii mock on 127.0.0.1. */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, test } from '@jest/globals';
import { startDoshiiMock, type DoshiiMock } from '../../src/providers/doshii/mock.js';
import { baseEnv, inProcess, ROOT, runInProcess } from '../helpers/evtail.js';

// Its base64 holds '+' and '=', so the clear, base64 and URL-encoded forms all differ.
const CLIENT = 'dsh-client~~>?';
const B64 = Buffer.from(CLIENT).toString('base64');
let mock: DoshiiMock | undefined;

async function start(options: Record<string, unknown> = {}): Promise<DoshiiMock> {
  mock = await startDoshiiMock({ host: '127.0.0.1', port: 0, rate: 50, clientId: [CLIENT], ...options });
  return mock;
}

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const ids = (events: Record<string, unknown>[]) => events.map((e) => Number(e.id));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('evtail doshii', () => {
  test('auth is base64 of the client id, deviceId is passed, and the first frame sent is the heartbeat ping', async () => {
    const m = await start();
    const r = await runInProcess(['doshii', '--url', m.url, '--client-id', CLIENT, '--device-id', 'dev-9f1c', '--app-version', '9.9.9', '-o', 'ndjson', '-n', '2']);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(2);
    expect(m.requests).toEqual([{ path: '/app/socket/v3', auth: B64, deviceId: 'dev-9f1c' }]);
    const first = JSON.parse(m.firstFrames[0]!);
    expect(Object.keys(first)).toEqual(['doshii']);
    expect(Object.keys(first.doshii)).toEqual(['ping', 'version']);
    expect(first.doshii.ping).toEqual(expect.any(Number));
    expect(first.doshii.version).toBe('9.9.9');
  });

  test("--url in the partner SDKs' form (/app/socket, with its own deviceId and a stale auth): connects with auth once and that deviceId", async () => {
    const m = await start();
    const url = `${m.url.replace(/\/app\/socket\/v3.*$/, '')}/app/socket?deviceId=dev-7&auth=stale`;
    const r = await runInProcess(['doshii', '--url', url, '--client-id', CLIENT, '-o', 'ndjson', '-n', '1']);
    expect(r.code).toBe(0);
    expect(m.requests).toEqual([{ path: '/app/socket', auth: B64, deviceId: 'dev-7' }]);
  });

  test('both envelopes decode; both pong shapes keep the link; server pings are answered and never printed', async () => {
    const m = await start({ rate: 10, envelope: 'mixed', pongShape: 'mixed', serverPingInterval: 60 });
    const p = inProcess(['doshii', '--url', m.url, '--client-id', CLIENT, '--heartbeat-interval', '200ms', '-o', 'ndjson', '-n', '12']);
    const r = await p.exit();
    expect(r.code).toBe(0);
    const events = p.events;
    expect(ids(events)).toEqual(range(1, 12));
    // Each printed event is the one the mock sent, whichever envelope carried it.
    expect(events.map((e) => e.type)).toEqual(m.sent.slice(0, 12).map((s) => s.name));
    expect(new Set(m.sent.slice(0, 12).map((s) => s.envelope))).toEqual(new Set(['emit', 'event']));
    for (const ev of events) {
      expect(Object.keys(ev)).toEqual(['time', 'provider', 'type', 'id', 'data']);
      expect(ev.provider).toBe('doshii');
      expect((ev.data as { id: string }).id).toBe(ev.id);
      expect((ev.data as { uri: string }).uri).toMatch(/^https:\/\/sandbox\.doshii\.co\//);
    }
    expect(m.stats.pongsSent.plain).toBeGreaterThanOrEqual(1);
    expect(m.stats.pongsSent.message).toBeGreaterThanOrEqual(1);
    expect(m.stats.serverPings).toBeGreaterThanOrEqual(1);
    expect(m.stats.pongsReceived).toBeGreaterThanOrEqual(1);
    expect(m.stats.connections).toBe(1);
    expect(r.stderr).not.toMatch(/dead link|did not decode/);
  });

  test.each([
    ['an unknown client id (401)', {}, 'someone-else', 401],
    ['a refusing server (403)', { refuse: true, refuseStatus: 403 }, CLIENT, 403],
  ])('a refused upgrade, %s: exit 3 after exactly one attempt', async (_what, options, clientId, status) => {
    const m = await start(options);
    const r = await runInProcess(['doshii', '--url', m.url, '--client-id', clientId, '-o', 'ndjson']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`the server refused the connection: HTTP ${status}`);
    expect(r.lines).toHaveLength(0);
    expect(m.stats.upgrades).toBe(1);
    expect(m.stats.connections).toBe(0);
  });

  test('the server stops answering pings while events flow: dead link, reconnect, the tail goes on', async () => {
    const m = await start({ rate: 20, stopPongsAfter: 0, faulty: 1 });
    const p = inProcess(['doshii', '--url', m.url, '--client-id', CLIENT, '--heartbeat-interval', '200ms', '-o', 'ndjson', '-n', '10']);
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/dead link: no heartbeat answer within 200 ms; reconnecting/);
    expect(m.stats.connections).toBe(2);
    // Events alone did not satisfy the watchdog. None is printed twice or out of order (one sent just as we cut
    // the dead link may be lost: that is the dead link, not the tail).
    const seen = ids(p.events);
    expect(seen).toHaveLength(10);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(10);
  });

  test('drops: reconnects within the budget, then exit 5 once --max-retries is spent within --retry-window', async () => {
    const m = await start({ dropAfter: 2 });
    const p = inProcess(['doshii', '--url', m.url, '--client-id', CLIENT, '--max-retries', '2', '--retry-window', '1m', '-o', 'ndjson']);
    const r = await p.exit();
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/reconnecting in \d+(ms|\.\d+s|s)/);
    expect(r.stderr).toMatch(/gave up after 2 reconnect attempts within 1m/);
    expect(m.stats.connections).toBe(3);
    // Every event the mock sent before each drop was printed, once, in order.
    expect(ids(p.events)).toEqual(range(1, 6));
  });

  test('--verbose shows the frames and the URL but never the client id, clear, base64 or URL-encoded', async () => {
    const m = await start();
    const r = await runInProcess(['doshii', '--url', m.url, '-o', 'ndjson', '-n', '2', '--verbose'], { env: baseEnv({ EVTAIL_CLIENT_ID: CLIENT }) });
    expect(r.code).toBe(0);
    expect(m.requests[0]!.auth).toBe(B64);
    expect(r.stderr).toMatch(/connecting to ws:\/\/127\.0\.0\.1:\d+\/app\/socket\/v3\?auth=\*\*\*/);
    expect(r.stderr).toMatch(/> \{"doshii":\{"ping":\d+,"version":"evtail\/[^"]+"\}\}/);
    expect(r.stderr).toMatch(/< \{"doshii":\{"pong":\d+\}\}/);
    for (const form of [CLIENT, B64, B64.replace(/=+$/, ''), encodeURIComponent(B64)]) {
      expect(r.stderr).not.toContain(form);
      expect(r.stdout).not.toContain(form);
    }
  });

  test('usage errors: a missing client id and a bad environment exit 2 with a one-line reason', async () => {
    const a = await runInProcess(['doshii', '--url', 'ws://127.0.0.1:9/app/socket/v3']);
    expect(a.code).toBe(2);
    expect(a.stderr.trim().split('\n')).toHaveLength(1);
    expect(a.stderr).toMatch(/doshii: missing --client-id or EVTAIL_CLIENT_ID/);
    const b = await runInProcess(['doshii', '--client-id', CLIENT, '--environment', 'evil.example/x', '-q']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--environment: "evil\.example\/x" is not an environment name/);
  });

  test('acceptance: `evtail demo doshii --format ndjson --max-events 5` prints 5 envelopes and exits 0', async () => {
    const r = await runInProcess(['demo', 'doshii', '--format', 'ndjson', '--max-events', '5']);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(5);
    const events = r.lines.map((l) => JSON.parse(l));
    expect(events.map((e) => e.provider)).toEqual(Array(5).fill('doshii'));
    expect(events.map((e) => Number(e.id))).toEqual([1, 2, 3, 4, 5]);
  });

  test("Doshii's own JavaScript example (seed 001) connects to `evtail mock doshii` and receives events", async () => {
    const server = inProcess(['mock', 'doshii', '--port', '0', '--rate', '20', '--client-id', CLIENT]);
    try {
      await server.waitForLines(1);
      const url = server.lines[0]!;
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/app\/socket\/v3$/);
      // The published example connects to .../app/socket (no /v3): the mock serves both paths.
      const child = spawn(process.execPath, ['test/seed-clients/doshii.cjs'], {
        cwd: ROOT,
        env: { ...process.env, DOSHII_URL: url.replace(/\/v3$/, ''), CLIENT_ID: CLIENT, MAX_EVENTS: '3' },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000); // bounded: a hung client fails, not hangs
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      clearTimeout(killer);
      expect(code).toBe(0);
      const lines = out.split('\n');
      expect(lines).toContain('message');
      const events = lines.filter((l) => /^\{"(emit|event)"/.test(l)).map((l) => JSON.parse(l));
      expect(events).toHaveLength(3);
      expect(lines.some((l) => l.startsWith('{"doshii":{"pong"'))).toBe(true);
    } finally {
      server.kill('SIGTERM');
      expect((await server.exit()).code).toBe(0);
    }
  });
});
