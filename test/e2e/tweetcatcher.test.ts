/** End to end: the CLI (its main(), in-process; spawned where the process is the point) against the Tweet Catcher mock on 127.0.0.1. */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, test } from '@jest/globals';
import { startTweetCatcherMock, type TweetCatcherMock } from '../../src/providers/tweetcatcher/mock.js';
import { baseEnv, BIN, evtail, ROOT, runInProcess, until } from '../helpers/evtail.js';
import { makeGate } from '../helpers/gate.js';

const TOKEN = 'tc-secret-token-123';
let mock: TweetCatcherMock | undefined;

async function start(options: Record<string, unknown> = {}): Promise<TweetCatcherMock> {
  mock = await startTweetCatcherMock({ host: '127.0.0.1', port: 0, rate: 50, token: [TOKEN], heartbeatInterval: 45_000, ...options });
  return mock;
}

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const seqOf = (ev: Record<string, unknown>) => Number(String(ev.id).replace('tc-', ''));

describe('evtail tweetcatcher', () => {
  test('valid token: events arrive in the NDJSON envelope', async () => {
    const m = await start();
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '--format', 'ndjson', '-n', '3']);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(3);
    const events = r.lines.map((l) => JSON.parse(l));
    for (const ev of events) {
      expect(Object.keys(ev)).toEqual(['time', 'provider', 'type', 'id', 'data']);
      expect(ev.provider).toBe('tweetcatcher');
      expect(ev.type).toBe('twitter.post.new');
      expect(ev.data.event_id).toBe(ev.id);
      expect(new Date(ev.time).toISOString()).toBe(ev.time);
    }
    expect(events.map(seqOf)).toEqual([1, 2, 3]);
  });

  test('the older event format decodes: type is d.task.reason', async () => {
    const m = await start({ eventFormat: 'older' });
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', '-n', '2']);
    expect(r.code).toBe(0);
    const ev = JSON.parse(r.lines[0]!);
    expect(ev.type).toBe('new_tweet');
    expect(ev.data.task.user).toEqual(expect.any(String));
  });

  test('wrong token: exit 3, the server reason on stderr, exactly one login attempt', async () => {
    const m = await start();
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', 'wrong', '-o', 'ndjson']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/login refused by Tweet Catcher: Invalid token/);
    expect(r.lines).toHaveLength(0);
    expect(m.stats.logins).toBe(1);
  });

  test('the server stops ACKing: dead link detected, reconnect, tail goes on', async () => {
    const m = await start({ heartbeatInterval: 200, stopAcksAfter: 0, faulty: 1, rate: 20 });
    // Spawned: in one process the mock's send and evtail's watchdog can fire in the same turn of the event loop, and
    // the event sent just before the cut is then dropped unread, which two processes (a real server) all but never see.
    const p = evtail(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', '-n', '30']);
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/dead link: no heartbeat answer within 200 ms/);
    expect(m.stats.connections).toBe(2);
    // Nothing the server sent was lost or repeated.
    expect(p.events.map(seqOf)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  test('--no-reconnect and a drop: exit 5', async () => {
    const m = await start({ dropAfter: 2 });
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', '--no-reconnect']);
    expect(r.code).toBe(5);
    expect(r.lines).toHaveLength(2);
    expect(r.stderr).toMatch(/connection lost/);
  });

  test('--timeout 1s and no events: exit 4', async () => {
    const m = await start({ count: 0 });
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', '--timeout', '1s']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/timed out after 1s/);
  });

  test('an unknown flag: exit 2 with a one-line reason', async () => {
    const r = await runInProcess(['tweetcatcher', '--token', TOKEN, '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  test('a missing token: exit 2 saying how to pass one', async () => {
    const r = await runInProcess(['tweetcatcher', '--url', 'ws://127.0.0.1:9'], { env: baseEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/tweetcatcher: missing --token or EVTAIL_TOKEN/);
  });

  test('the token from EVTAIL_TOKEN and from --token-file', async () => {
    const m = await start();
    const r1 = await runInProcess(['tweetcatcher', '--url', m.url, '-o', 'ndjson', '-n', '1'], { env: baseEnv({ EVTAIL_TOKEN: TOKEN }) });
    expect(r1.code).toBe(0);
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = `${mkdtempSync(`${tmpdir()}/evtail-`)}/token`;
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    const r2 = await runInProcess(['tweetcatcher', '--url', m.url, '--token-file', file, '-o', 'ndjson', '-n', '1']);
    expect(r2.code).toBe(0);
    expect(r2.lines).toHaveLength(1);
  });

  test('--verbose shows frames and never the token', async () => {
    const m = await start();
    const r = await runInProcess(['tweetcatcher', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', '-n', '2', '--verbose']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/> \{"op":2,"token":"\*\*\*"\}/);
    expect(r.stderr).toMatch(/< \{"op":10,"heartbeat_interval":45000\}/);
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stdout).not.toContain(TOKEN);
  });

  test('100 000 events into a slow reader arrive complete', async () => {
    const m = await start({ rate: 0 });
    // The reader takes nothing until evtail has stopped reading the socket (the server's writes back up), then all.
    const gate = makeGate();
    try {
      const child = spawn('bash', ['-c', `node "${BIN}" tweetcatcher --url ${m.url} --token ${TOKEN} -o ndjson -n 100000 -q | (read -r _ < '${gate.path}'; wc -l)`], { cwd: ROOT, env: baseEnv() });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const closed = new Promise((r) => child.on('close', r));
      await until(() => m.backlog() > 0 || child.exitCode !== null, "the server's writes backing up behind the stalled reader", 20_000);
      expect(child.exitCode).toBeNull();
      await gate.open();
      expect(await closed).toBe(0);
      expect(out.trim()).toBe('100000');
    } finally {
      await gate.remove();
    }
  }, 60_000);

  test("the provider's own JavaScript example connects to the mock, logs in and prints events", async () => {
    const m = await start();
    const child = spawn(process.execPath, ['test/seed-clients/tweetcatcher.cjs'], { cwd: ROOT, env: { ...process.env, URL: m.url, TOKEN, MAX_EVENTS: '3' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await until(() => (out.match(/New notification/g) ?? []).length >= 3, 'three notifications from the seed client');
    child.kill();
    expect(out).toMatch(/Logged in!/);
    const first = JSON.parse(out.split('\n').find((l) => l.startsWith('New notification'))!.replace('New notification ', ''));
    expect(first.event).toBe('twitter.post.new');
  });
});
