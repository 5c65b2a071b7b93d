/** Smoke checks and filters: --type, --match, --until, --idle-timeout, --stats, --meta, end to end. */
import { afterEach, describe, expect, test } from '@jest/globals';
import { startTweetCatcherMock, type TweetCatcherMock } from '../../src/providers/tweetcatcher/mock.js';
import { inProcess, runInProcess } from '../helpers/evtail.js';

const TOKEN = 'smoke-token';
let mock: TweetCatcherMock | undefined;
async function start(options: Record<string, unknown> = {}): Promise<TweetCatcherMock> {
  mock = await startTweetCatcherMock({ host: '127.0.0.1', port: 0, rate: 100, token: [TOKEN], ...options });
  return mock;
}
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});
const base = (m: TweetCatcherMock) => ['tweetcatcher', '--url', m.url, '--token', TOKEN];

describe('filters', () => {
  test('--type keeps only matching types (globs)', async () => {
    const m = await start({ eventFormat: 'mixed' });
    const r = await runInProcess([...base(m), '-o', 'ndjson', '--type', 'new_*', '-n', '3']);
    expect(r.code).toBe(0);
    expect(r.lines.map((l) => JSON.parse(l).type)).toEqual(['new_tweet', 'new_tweet', 'new_tweet']);
  });

  test('--match over dotted paths; several must all hold', async () => {
    const m = await start();
    const r = await runInProcess([...base(m), '-o', 'ndjson', '--match', 'data.data.type=quote', '--match', 'data.task_info.handle~.', '-n', '2']);
    expect(r.code).toBe(0);
    expect(r.lines.map((l) => JSON.parse(l).data.data.type)).toEqual(['quote', 'quote']);
  });

  test('-n counts events after filtering', async () => {
    const m = await start();
    const r = await runInProcess([...base(m), '-o', 'ndjson', '--match', 'data.data.type!=post', '-n', '4']);
    expect(r.lines).toHaveLength(4);
    for (const l of r.lines) expect(JSON.parse(l).data.data.type).not.toBe('post');
  });

  test('a bad expression: exit 2, pointing at the fault, before connecting', async () => {
    const m = await start();
    const r = await runInProcess([...base(m), '--match', 'data.amount>>10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--match "data\.amount>>10": unexpected ">" after ">"/);
    expect(r.stderr).toMatch(/\n\s+\^/);
    expect(m.stats.connections).toBe(0);
  });
});

describe('--until', () => {
  test('exit 0 at the first match, which is printed last', async () => {
    const m = await start();
    const r = await runInProcess([...base(m), '-o', 'ndjson', '--until', 'data.data.type=quote', '--timeout', '20s']);
    expect(r.code).toBe(0);
    const events = r.lines.map((l) => JSON.parse(l));
    expect(events.at(-1).data.data.type).toBe('quote');
    expect(events.slice(0, -1).every((e) => e.data.data.type !== 'quote')).toBe(true);
  });

  test('with --timeout: exit 4 when it never comes', async () => {
    const m = await start();
    const r = await runInProcess([...base(m), '-o', 'ndjson', '--until', 'type=never.happens', '--timeout', '1s']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/timed out after 1s/);
    expect(r.lines.length).toBeGreaterThan(0);
  });
});

describe('--idle-timeout', () => {
  test('exit 6 when no event arrives for that long, though the link is alive', async () => {
    const m = await start({ rate: 0.1, heartbeatInterval: 200 });
    const r = await runInProcess([...base(m), '-o', 'ndjson', '--idle-timeout', '1s']);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/no event arrived for 1s \(--idle-timeout\)/);
    expect(r.lines).toHaveLength(1);
    expect(r.stderr).not.toMatch(/dead link/);
  });
});

describe('exit codes of the outcomes, and -q', () => {
  test('-q: the idle and timeout outcomes print nothing (the exit code says it); --timeout alone is 4', async () => {
    const m = await start({ rate: 0.1, heartbeatInterval: 200 });
    const [idle, timeout] = await Promise.all([
      runInProcess([...base(m), '-o', 'ndjson', '--idle-timeout', '500ms', '--timeout', '20s', '-q']),
      runInProcess([...base(m), '-o', 'ndjson', '--until', 'type=never', '--timeout', '700ms', '-q']),
    ]);
    expect(idle.code).toBe(6);
    expect(timeout.code).toBe(4);
    expect(idle.stderr).toBe('');
    expect(timeout.stderr).toBe('');
  });

  test('-q: an error that needs action still prints exactly one line', async () => {
    const m = await start();
    const r = await runInProcess([...base(m).slice(0, -1), 'wrong-token', '-q']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^evtail: error: /);
  });

  test('--duration watches for that long and exits 0 with every event printed', async () => {
    const m = await start({ rate: 20 });
    const r = await runInProcess([...base(m), '-o', 'ndjson', '--duration', '1s', '--stats']);
    expect(r.code).toBe(0);
    expect(r.lines.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/"exitCode":0,"exitReason":"--duration: watched for 1s"/);
    expect(r.stderr).not.toMatch(/error/);
  });
});

describe('--stats', () => {
  test('a JSON line on stderr with --format ndjson', async () => {
    const m = await start();
    const r = await runInProcess([...base(m), '-o', 'ndjson', '-n', '5', '--type', 'twitter.*', '--stats']);
    expect(r.code).toBe(0);
    const last = r.stderr.trim().split('\n').at(-1)!;
    const stats = JSON.parse(last);
    expect(stats).toMatchObject({ evtail: 'stats', eventsPrinted: 5, reconnects: 0, exitCode: 0, exitReason: '5 events received' });
    expect(stats.eventsSeen).toBeGreaterThanOrEqual(5);
    expect(stats.bytes).toBeGreaterThan(5 * 300);
    // Connected from the login to the 5th event, with no gap: a positive time, within the run's.
    expect(stats.connectedMs).toBeGreaterThan(0);
    expect(stats.connectedMs).toBeLessThanOrEqual(stats.elapsedMs);
    expect(stats.gapMs).toBe(0);
  });

  test('a readable line otherwise, with the exit reason, and no secret', async () => {
    const m = await start({ dropAfter: 2, faulty: 1 });
    const r = await runInProcess([...base(m), '-o', 'pretty', '-n', '3', '--stats']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/evtail: stats: 3 events seen, 3 printed, [\d.]+ KiB, 1 reconnect, connected .*, gaps .*; exit 0 \(3 events received\)/);
    expect(r.stderr).not.toContain(TOKEN);
  });
});

describe('--meta', () => {
  test('off by default: stdout carries provider events only', async () => {
    const m = await start({ dropAfter: 1, faulty: 1 });
    const r = await runInProcess([...base(m), '-o', 'ndjson', '-n', '2']);
    expect(r.lines.map((l) => JSON.parse(l).type)).toEqual(['twitter.post.new', 'twitter.post.new']);
  });

  test('records at the right places across a forced reconnect; the gap matches the outage within 10%', async () => {
    const m = await start({ dropAfter: 3, faulty: 1, downFor: 1500, rate: 50 });
    let faultAt = 0;
    let backAt = 0;
    m.on('fault', () => (faultAt = Date.now()));
    m.on('ready', (index: number) => {
      if (index > 1 && !backAt) backAt = Date.now();
    });
    const p = inProcess([...base(m), '-o', 'ndjson', '-n', '6', '--meta']);
    const r = await p.exit(20_000);
    expect(r.code).toBe(0);
    const recs = p.events as { type: string; data: Record<string, unknown> }[];
    const types = recs.map((e) => (e.type.startsWith('evtail.') ? e.type : 'event'));
    // connected, 3 events, reconnecting (one or more: the server refuses while down), gap, connected, 3 events
    expect(types[0]).toBe('evtail.connected');
    expect(types.slice(1, 4)).toEqual(['event', 'event', 'event']);
    const gapIndex = types.indexOf('evtail.gap');
    expect(types.slice(4, gapIndex).every((t) => t === 'evtail.reconnecting')).toBe(true);
    expect(gapIndex - 4).toBeGreaterThanOrEqual(1);
    expect(types.slice(gapIndex + 1)).toEqual(['evtail.connected', 'event', 'event', 'event']);
    expect(recs[4]!.data.reason).toEqual(expect.stringMatching(/closed|reset|1006/));
    const gap = recs[gapIndex]!.data as { start: string; end: string; ms: number };
    const outage = backAt - faultAt;
    expect(outage).toBeGreaterThanOrEqual(1500);
    expect(Math.abs(gap.ms - outage)).toBeLessThanOrEqual(outage * 0.1);
    expect(Date.parse(gap.end) - Date.parse(gap.start)).toBe(gap.ms);
  });
});
