/**
 * Many streams in one process: `evtail -p a -p b -p c` (or -p <group>) against three providers' mocks, merged into
 * one output with `source`; a refused stream; a restarting server; -n across streams; a stalled reader pausing
 * every stream; --metrics scraped mid-run and checked by promtool.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import type { WebSocket } from 'ws';
import { startDoshiiMock } from '../../src/providers/doshii/mock.js';
import { startStreamElementsMock } from '../../src/providers/streamelements/mock.js';
import { startTweetCatcherMock } from '../../src/providers/tweetcatcher/mock.js';
import type { MockServer } from '../../src/types.js';
import { baseEnv, BIN, processJanitor, until } from '../helpers/evtail.js';

const janitor = processJanitor();
const mocks: MockServer[] = [];
afterEach(async () => {
  janitor.cleanup();
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

async function three(opts: { tweets?: Record<string, unknown>; orders?: Record<string, unknown>; tips?: Record<string, unknown> } = {}) {
  const tweets = await startTweetCatcherMock({ port: 0, rate: 40, token: ['tc-token'], ...opts.tweets });
  const orders = await startDoshiiMock({ port: 0, rate: 40, ...opts.orders });
  const tips = await startStreamElementsMock({ port: 0, rate: 40, rateLimitMs: 0, ...opts.tips });
  mocks.push(tweets, orders, tips);
  return { tweets, orders, tips };
}

/** A config file with one profile per mock, and a group of all three. */
function config(m: Awaited<ReturnType<typeof three>>, tweetsToken = 'tc-token'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'evtail-streams-'));
  const file = path.join(dir, 'streams.yaml');
  writeFileSync(
    file,
    [
      'profiles:',
      '  tweets: { provider: tweetcatcher, url: "' + m.tweets.url + '", token: ' + tweetsToken + ' }',
      '  orders: { provider: doshii, url: "' + m.orders.url + '", clientId: demo-client-id }',
      '  tips: { provider: streamelements, url: "' + m.tips.url + '", token: se-token, topic: [channel.tips] }',
      'groups:',
      '  desk: [tweets, orders, tips]',
    ].join('\n') + '\n',
    { mode: 0o600 },
  );
  return file;
}

const bySource = (events: Record<string, unknown>[], source: string) => events.filter((e) => e.source === source);

describe('many streams in one process', () => {
  test('three profiles of three providers merge into one output, each event naming its source', async () => {
    const m = await three();
    const p = janitor.inProcess(['-p', 'tweets', '-p', 'orders', '-p', 'tips', '--config', config(m), '-o', 'ndjson', '-n', '30']);
    const r = await p.exit();
    expect(r.code).toBe(0);
    const events = p.events;
    expect(events).toHaveLength(30);
    expect(new Set(events.map((e) => e.source))).toEqual(new Set(['tweets', 'orders', 'tips']));
    for (const e of events) expect(Object.keys(e).slice(0, 4)).toEqual(['time', 'provider', 'source', 'type']);
    expect(new Set(bySource(events, 'tweets').map((e) => e.provider))).toEqual(new Set(['tweetcatcher']));
    expect(new Set(bySource(events, 'orders').map((e) => e.provider))).toEqual(new Set(['doshii']));
    expect(new Set(bySource(events, 'tips').map((e) => e.provider))).toEqual(new Set(['streamelements']));
    expect(r.stderr).toMatch(/\[tweets\] ready/);
    expect(r.stderr).toMatch(/\[orders\] ready/);
    expect(r.stderr).toMatch(/\[tips\] ready/);
  });

  test('a group runs its profiles together, and -n counts across streams', async () => {
    const m = await three();
    const p = janitor.inProcess(['-p', 'desk', '--config', config(m), '-o', 'ndjson', '-n', '7', '--stats']);
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(p.events).toHaveLength(7);
    const stats = r.stderr.split('\n').filter((l) => l.startsWith('{"evtail":"stats"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(stats.map((s) => s.source)).toEqual(['tweets', 'orders', 'tips', undefined]);
    const printed = stats.slice(0, 3).reduce((n, s) => n + (s.eventsPrinted as number), 0);
    expect(printed).toBe(7);
    expect(stats[3]).toMatchObject({ eventsPrinted: 7, exitCode: 0, exitReason: '7 events received' });
  });

  test('the limits watch the merged stream as they watch one: events filtered out still keep --idle-timeout quiet', async () => {
    const m = await three();
    // Both streams deliver, no event passes the filter: not "quiet" (exit 6), but the run's deadline (exit 4).
    const r = await janitor.inProcess(['-p', 'tweets', '-p', 'orders', '--config', config(m), '-o', 'ndjson', '--type', 'nothing.*', '--idle-timeout', '800ms', '--timeout', '2500ms']).exit();
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/timed out after 2\.5s/);
    expect(r.code).toBe(4);
  });

  test('one refused stream ends the run with exit 3 naming it; with --keep-going the others go on and the end still says so', async () => {
    const m = await three();
    const file = config(m, 'wrong-token');
    const refused = await janitor.inProcess(['-p', 'desk', '--config', file, '-o', 'ndjson', '--timeout', '20s']).exit();
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/error: \[tweets\] .*(refused|token)/i);

    const going = janitor.inProcess(['-p', 'desk', '--config', file, '-o', 'ndjson', '-n', '20', '--keep-going']);
    const r = await going.exit();
    expect(r.stderr).toMatch(/\[tweets\] .*--keep-going/);
    expect(going.events).toHaveLength(20);
    expect(new Set(going.events.map((e) => e.source))).toEqual(new Set(['orders', 'tips']));
    expect(r.code).toBe(3);
  });

  test("one stream's server restarting does not stall the others: their events keep coming with no gap", async () => {
    const m = await three({ orders: { rate: 40, dropAfter: 5, downFor: 1500 } });
    const p = janitor.inProcess(['-p', 'desk', '--config', config(m), '-o', 'ndjson']);
    await p.waitForStderr(/\[orders\] reconnecting/);
    // While orders is down (1.5 s of HTTP 503), tweets and tips keep printing.
    const before = p.lines.length;
    await p.waitFor(() => p.lines.length >= before + 20 && bySource(p.events, 'orders').length > 5, 'the others streaming, and orders back');
    p.kill('SIGTERM');
    await p.exit();
    const tweets = bySource(p.events, 'tweets').map((e) => Number(String(e.id).replace('tc-', '')));
    expect(tweets).toEqual(Array.from({ length: tweets.length }, (_, i) => i + 1));
    const orders = bySource(p.events, 'orders').map((e) => Number(e.id));
    expect(orders.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(orders.length).toBeGreaterThan(5);
  });

  test('a reader that stops reading pauses every stream; nothing is lost when it reads again', async () => {
    const count = 20_000;
    const m = await three({ tweets: { rate: 0, count }, orders: { rate: 0, count }, tips: { rate: 0, count } });
    const child = spawn(process.execPath, [BIN, '-p', 'tweets', '-p', 'orders', '--config', config(m), '-o', 'ndjson', '-n', String(2 * count)], { env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause();
    const clientOf = (mock: MockServer) => [...(mock as unknown as { server: { wss: { clients: Set<WebSocket> } } }).server.wss.clients][0];
    // Both mocks flood until their socket to evtail backs up: evtail stopped reading both.
    await until(() => [m.tweets, m.orders].every((mk) => (clientOf(mk)?.bufferedAmount ?? 0) > 0), 'both mocks held back by evtail', 20_000);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const events = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toHaveLength(2 * count);
    expect(bySource(events, 'tweets').map((e) => e.id)).toEqual(Array.from({ length: count }, (_, i) => `tc-${i + 1}`));
    expect(bySource(events, 'orders').map((e) => e.id)).toEqual(Array.from({ length: count }, (_, i) => String(i + 1)));
  });

  test('each source has its own colour at a terminal, the same in every run', async () => {
    const m = await three();
    const file = config(m);
    // At a real pseudo-terminal (script from util-linux). Not spawnSync: the mocks live in this process.
    const run = async () => {
      const child = janitor.spawn('script', ['-qfec', `${process.execPath} ${BIN} -p tweets -p orders --config ${file} -n 6 --color`, '/dev/null'], { cwd: process.cwd(), env: baseEnv({ TERM: 'xterm-256color', COLUMNS: '120' }) });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      await new Promise((resolve) => child.on('close', resolve));
      return { stdout };
    };
    const colourOf = (text: string, source: string) => new RegExp(`(\\u001b\\[[0-9;]+m)${source}\\u001b\\[39m`).exec(text)?.[1];
    const first = (await run()).stdout;
    const second = (await run()).stdout;
    const tweets = colourOf(first, 'tweets');
    const orders = colourOf(first, 'orders');
    expect(tweets).toBeDefined();
    expect(orders).toBeDefined();
    expect(tweets).not.toBe(orders);
    expect(colourOf(second, 'tweets')).toBe(tweets);
    expect(colourOf(second, 'orders')).toBe(orders);
  });

  test('--metrics serves Prometheus text during the run: promtool accepts it and the events counter equals the lines printed', async () => {
    // Each mock goes quiet after 5 events (and stops answering heartbeats, which take 45 s to matter): a still point.
    const m = await three({ tweets: { silentAfter: 5 }, orders: { silentAfter: 5 }, tips: { silentAfter: 5 } });
    const p = janitor.inProcess(['-p', 'desk', '--config', config(m), '-o', 'ndjson', '--metrics', '127.0.0.1:0']);
    await p.waitForStderr(/metrics at (http:\/\/\S+)/);
    const url = /metrics at (http:\/\/\S+)/.exec(p.stderr)![1]!;
    await p.waitForLines(15);
    const text = await (await fetch(url)).text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
    const total = text
      .split('\n')
      .filter((l) => l.startsWith('evtail_events_total{'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    expect(total).toBe(p.lines.length);
    for (const s of ['tweets', 'orders', 'tips']) expect(text).toMatch(new RegExp(`evtail_connected\\{source="${s}",provider="[a-z]+"\\} 1`));
    const health = await fetch(url.replace('/metrics', '/healthz'));
    expect(health.status).toBe(200);
    p.kill('SIGTERM');
    expect((await p.exit()).code).toBe(143);
  });
});
