/** End to end: the CLI (its main(), in-process; spawned where the process is the point) against the Webinate users server mock on 127.0.0.1. */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, test } from '@jest/globals';
import { DEFAULT_SOCKET_API_KEY, startWebinateMock, type WebinateMock } from '../../src/providers/webinate/mock.js';
import { baseEnv, inProcess, ROOT, runInProcess } from '../helpers/evtail.js';

/** Approved by the mock's default list (its unanchored "localhost" entry). */
const ORIGIN = 'http://localhost:4200';
let mock: WebinateMock | undefined;

async function start(options: Record<string, unknown> = {}): Promise<WebinateMock> {
  // The documented (numeric) generation unless a test asks for the current one: it sends every event to everyone.
  mock = await startWebinateMock({ host: '127.0.0.1', port: 0, rate: 50, generation: 'numeric', ...options });
  return mock;
}

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const seqOf = (ev: Record<string, unknown>) => Number(String(ev.id).replace('wb-', ''));
const NAMES = ['Login', 'Logout', 'Activated', 'Removed', 'FileUploaded', 'FileRemoved', 'BucketUploaded', 'BucketRemoved'];

describe('evtail webinate', () => {
  test('an approved Origin: events arrive in the NDJSON envelope, in order, and the mock saw that Origin', async () => {
    const m = await start();
    const r = await runInProcess(['webinate', '--url', m.url, '--origin', ORIGIN, '--format', 'ndjson', '-n', '4']);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(4);
    const events = r.lines.map((l) => JSON.parse(l));
    for (const ev of events) {
      expect(Object.keys(ev)).toEqual(['time', 'provider', 'type', 'id', 'data']);
      expect(ev.provider).toBe('webinate');
      expect(NAMES).toContain(ev.type);
      expect(ev.data.eventType).toBe(NAMES.indexOf(ev.type) + 1);
    }
    expect(events.map(seqOf)).toEqual([1, 2, 3, 4]);
    expect(m.connections.map((c) => [c.origin, c.approved])).toEqual([[ORIGIN, true]]);
  });

  test('a refused Origin (the default: the URL\'s own): exit 3 after three tries, naming the Origin', async () => {
    const m = await start();
    const r = await runInProcess(['webinate', '--url', m.url, '-o', 'ndjson'], { timeoutMs: 8000 });
    const origin = `http://127.0.0.1:${m.port}`;
    expect(r.code).toBe(3);
    expect(r.lines).toHaveLength(0);
    expect(r.stderr).toContain(`the Origin "${origin}" was probably not in its approvedSocketDomains`);
    expect(r.stderr).toMatch(/3 times in a row/);
    expect(r.stderr).toMatch(/hint: add a regular expression that matches/);
    expect(m.stats.refused).toBe(3);
    expect(m.stats.connections).toBe(3);
  });

  test('a refused Origin with --no-reconnect: exit 3 after one connection', async () => {
    const m = await start();
    const r = await runInProcess(['webinate', '--url', m.url, '--origin', 'https://evil.example', '-o', 'ndjson', '--no-reconnect']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the Origin "https://evil.example" was probably not in its approvedSocketDomains');
    expect(m.stats.connections).toBe(1);
  });

  test('the newer generation (string type) decodes to the same names', async () => {
    const m = await start({ generation: 'string' });
    const r = await runInProcess(['webinate', '--url', m.url, '--api-key', DEFAULT_SOCKET_API_KEY, '-o', 'ndjson', '-n', '4']);
    expect(r.code).toBe(0);
    const events = r.lines.map((l) => JSON.parse(l));
    for (const ev of events) {
      expect(ev.data.eventType).toBeUndefined();
      expect(ev.data.type).toBe(ev.type);
      expect(NAMES).toContain(ev.type);
    }
  });

  test('mixed generations in one stream both decode', async () => {
    const m = await start({ generation: 'mixed' });
    const r = await runInProcess(['webinate', '--url', m.url, '--origin', ORIGIN, '-o', 'ndjson', '-n', '4']);
    expect(r.code).toBe(0);
    const events = r.lines.map((l) => JSON.parse(l));
    expect(events.map((ev) => (typeof ev.data.eventType === 'number' ? 'numeric' : 'string'))).toEqual(['numeric', 'string', 'numeric', 'string']);
    for (const ev of events) expect(NAMES).toContain(ev.type);
  });

  test('--echo: the echo comes back as an event', async () => {
    const m = await start({ count: 0 });
    const r = await runInProcess(['webinate', '--url', m.url, '--origin', ORIGIN, '--echo', 'hello there', '-o', 'ndjson', '-n', '1']);
    expect(r.code).toBe(0);
    const ev = JSON.parse(r.lines[0]!);
    expect(ev.type).toBe('Echo');
    expect(ev.data.message).toBe('hello there');
    expect(m.stats.echoes).toBe(1);
  });

  test('--send a MetaRequest with --api-key: any Origin is accepted and the reply is printed', async () => {
    const m = await start({ count: 0 });
    const send = JSON.stringify({ eventType: 9, username: 'alice', property: 'plan' });
    const r = await runInProcess(['webinate', '--url', m.url, '--api-key', DEFAULT_SOCKET_API_KEY, '--send', send, '-o', 'ndjson', '-n', '1']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({ type: 'MetaRequest', data: { eventType: 9, username: 'alice', property: 'plan', val: 'free' } });
    expect(m.connections[0]).toMatchObject({ origin: `http://127.0.0.1:${m.port}`, approved: true, thirdParty: true });
  });

  test('an error field: a warning on stderr, and the event is still printed', async () => {
    const m = await start({ count: 0 });
    const r = await runInProcess(['webinate', '--url', m.url, '--origin', ORIGIN, '--send', '{"eventType":9,"username":"alice"}', '-o', 'ndjson', '-n', '1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: MetaRequest: the server reported an error: You do not have permission to make this request/);
    expect(JSON.parse(r.lines[0]!).data.error).toBe('You do not have permission to make this request');
  });

  test('no --url: exit 2 with a one-line reason; bad --send JSON: exit 2', async () => {
    const r1 = await runInProcess(['webinate', '--origin', ORIGIN], { env: baseEnv() });
    expect(r1.code).toBe(2);
    expect(r1.stderr.trim().split('\n')).toHaveLength(1);
    expect(r1.stderr).toMatch(/webinate: missing --url or EVTAIL_URL/);
    const r2 = await runInProcess(['webinate', '--url', 'ws://127.0.0.1:9', '--send', '{"eventType":10,']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--send: not valid JSON/);
  });

  test('URL and cookie from the environment; --verbose never shows the cookie', async () => {
    const m = await start();
    const sid = 's%3Asecret-session-4f1c.abcdef';
    const r = await runInProcess(['webinate', '-o', 'ndjson', '-n', '2', '--verbose'], { env: baseEnv({ EVTAIL_URL: m.url, EVTAIL_ORIGIN: ORIGIN, EVTAIL_COOKIE: `SID=${sid}` }) });
    expect(r.code).toBe(0);
    expect(m.connections[0]!.sid).toBe(sid);
    expect(r.stderr).toMatch(/< \{"eventType":/);
    expect(r.stderr).not.toContain(sid);
    expect(r.stdout).not.toContain(sid);
  });

  test('acceptance: evtail demo webinate --generation numeric --echo hello --format ndjson --max-events 3', async () => {
    const r = await runInProcess(['demo', 'webinate', '--generation', 'numeric', '--echo', 'hello', '--format', 'ndjson', '--max-events', '3']);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(3);
    const events = r.lines.map((l) => JSON.parse(l));
    expect(events.filter((ev) => ev.type === 'Echo' && ev.data.message === 'hello')).toHaveLength(1);
    for (const ev of events) expect(ev.provider).toBe('webinate');
  });

  test("the provider's own JavaScript example connects to the mock and gets its echo back", async () => {
    const m = await start();
    const child = spawn(process.execPath, ['test/seed-clients/webinate.cjs'], { cwd: ROOT, env: { ...process.env, URL: m.url } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the seed client did not exit; stdout: ${out}`));
      }, 10_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(0);
    expect(out).toContain('We got an echo: Hello world?');
    expect(m.connections[0]).toMatchObject({ origin: 'trusted-host', approved: true });
  });
});

describe('evtail webinate against the current server (string generation, v0.5.0+)', () => {
  const KEY = DEFAULT_SOCKET_API_KEY;
  const current = (options: Record<string, unknown> = {}) => start({ generation: 'string', ...options });

  test('smoke check: --meta-request with the API key round-trips; --replies-only makes -n 1 count only the answer; exit 0', async () => {
    const m = await current({ rate: 50 });
    const r = await runInProcess(['webinate', '--url', m.url, '--api-key', KEY, '--meta-request', 'alice.plan', '--replies-only', '-n', '1', '--timeout', '15s', '-o', 'ndjson']);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({ type: 'MetaRequest', data: { type: 'MetaRequest', username: 'alice', property: 'plan', val: 'free' } });
    // A third party also gets every event; they were there, and skipped.
    expect(m.stats.eventsSent).toBeGreaterThan(0);
    expect(m.received.filter((t) => t.type === 'MetaRequest')).toEqual([{ type: 'MetaRequest', username: 'alice', property: 'plan' }]);
  });

  test('smoke check with a wrong API key (an approved Origin): the error answer goes to stderr, nothing counts, exit 4', async () => {
    const m = await current();
    const r = await runInProcess(['webinate', '--url', m.url, '--origin', ORIGIN, '--api-key', 'not-the-key', '--meta-request', 'alice', '--replies-only', '-n', '1', '--timeout', '3s', '-o', 'ndjson']);
    expect(r.code).toBe(4);
    expect(r.lines).toHaveLength(0);
    expect(r.stderr).toMatch(/warning: MetaRequest: the server answered with an error: You do not have permission to make this request \(the users-api-key was not accepted: check --api-key\)/);
  });

  test('delivery: no key and no cookie is silent, with the hint; a key gets every event; a cookie only its user\'s events', async () => {
    const m = await current({ rate: 50 });
    const p = inProcess(['webinate', '--url', m.url, '--origin', ORIGIN, '--silence-hint-after', '400ms', '-o', 'ndjson']);
    await p.waitForStderr(/server has sent nothing in 400ms: a current users server sends events only to connections that pass --api-key/);
    expect(p.lines).toHaveLength(0);
    p.kill('SIGTERM');
    await p.exit();
    const all = await runInProcess(['webinate', '--url', m.url, '--api-key', KEY, '--silence-hint-after', '400ms', '-o', 'ndjson', '-n', '6']);
    expect(all.code).toBe(0);
    const seqs = all.lines.map((l) => seqOf(JSON.parse(l)));
    expect(seqs).toEqual(Array.from({ length: 6 }, (_, i) => seqs[0]! + i));
    expect(all.stderr).not.toMatch(/has sent nothing/);
    const mine = await runInProcess(['webinate', '--url', m.url, '--origin', ORIGIN, '--cookie', 'SID=sid-alice', '-o', 'ndjson', '-n', '3']);
    expect(mine.code).toBe(0);
    for (const l of mine.lines) expect(JSON.parse(l).data.username).toBe('alice');
    expect(m.connections.at(-1)).toMatchObject({ sid: 'sid-alice', user: 'alice', thirdParty: false });
  });

  test('no Echo on the current server: --echo there is exit 2 with a hint; a frame sent before the server listens is dropped, --meta-request asks again', async () => {
    const r = await runInProcess(['webinate', '--url', 'ws://127.0.0.1:9', '--generation', 'string', '--echo', 'hi']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the current server \(--generation string\) has no Echo/);
    const m = await current({ count: 0, approvalDelay: 600 });
    const q = await runInProcess(['webinate', '--url', m.url, '--api-key', KEY, '--meta-request', 'bob', '--send-delay', '100ms', '--replies-only', '-n', '1', '--timeout', '10s', '-o', 'ndjson']);
    expect(q.code).toBe(0);
    expect(JSON.parse(q.lines[0]!)).toMatchObject({ type: 'MetaRequest', data: { username: 'bob', val: { plan: 'free' } } });
    expect(m.stats.droppedBeforeApproval).toBeGreaterThanOrEqual(1);
  });

  test('the numeric generation: an Echo round trip (--echo implies it)', async () => {
    const m = await start({ count: 0 });
    const r = await runInProcess(['webinate', '--url', m.url, '--origin', ORIGIN, '--echo', 'ping', '--replies-only', '-n', '1', '--timeout', '10s', '-o', 'ndjson']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({ type: 'Echo', data: { eventType: 10, message: 'ping' } });
  });
});
