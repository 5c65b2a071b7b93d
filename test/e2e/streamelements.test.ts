/** End to end: the CLI (its main(), in-process; spawned where the process is the point) against the StreamElements Astro mock on 127.0.0.1. */
import { afterEach, describe, expect, test } from '@jest/globals';
import { seqFromId, startStreamElementsMock, type StreamElementsMock } from '../../src/providers/streamelements/mock.js';
import { baseEnv, inProcess, runInProcess, until } from '../helpers/evtail.js';

const TOKEN = 'se-jwt-secret-abc123';
let mock: StreamElementsMock | undefined;

async function start(options: Record<string, unknown> = {}): Promise<StreamElementsMock> {
  mock = await startStreamElementsMock({ host: '127.0.0.1', port: 0, rate: 50, token: [TOKEN], ...options });
  return mock;
}

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const base = (m: StreamElementsMock, ...extra: string[]) => ['streamelements', '--url', m.url, '--token', TOKEN, '-o', 'ndjson', ...extra];
const seqs = (events: Record<string, unknown>[]) => events.map((e) => seqFromId(String(e.id)));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const subscribes = (m: StreamElementsMock) => m.received.filter((r) => r.type === 'subscribe');

describe('evtail streamelements', () => {
  test('two topics: envelopes with type = topic, id, topic, room; nonces unique; token type jwt by default', async () => {
    const m = await start();
    const p = inProcess(base(m, '--topic', 'channel.activities', '--topic', 'channel.tips', '-n', '6'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    const events = p.events;
    expect(events).toHaveLength(6);
    for (const ev of events) {
      expect(Object.keys(ev)).toEqual(['time', 'provider', 'type', 'id', 'topic', 'room', 'data']);
      expect(ev.provider).toBe('streamelements');
      expect(ev.type).toBe(ev.topic);
      expect(['channel.activities', 'channel.tips']).toContain(ev.topic);
      expect(ev.room).toBe('5ad23dcc18fff500d78c5348');
      expect(ev.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    }
    expect(new Set(events.map((e) => e.topic))).toEqual(new Set(['channel.activities', 'channel.tips']));
    expect(seqs(events)).toEqual(range(1, 6));
    const subs = subscribes(m);
    expect(subs.map((s) => s.topic)).toEqual(['channel.activities', 'channel.tips']);
    expect(new Set(subs.map((s) => s.nonce)).size).toBe(2);
    expect(subs.every((s) => s.tokenType === 'jwt' && s.token === TOKEN && s.room === undefined)).toBe(true);
    expect(r.stderr).toMatch(/ready: subscribed to channel\.activities/);
  });

  test('--token-type oauth and --room are sent as given; events carry the room', async () => {
    const m = await start();
    const p = inProcess(base(m, '--token-type', 'oauth', '--room', 'room-42', '-n', '1'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(subscribes(m)[0]).toMatchObject({ topic: 'channel.activities', tokenType: 'oauth', room: 'room-42' });
    expect(p.events[0]!.room).toBe('room-42');
  });

  test('subscribed without --room and nothing arrives: a hint that --room <channel id> may be needed; with --room, events and no hint', async () => {
    const m = await start({ requireRoom: true });
    const p = inProcess(base(m, '--room-hint-after', '300ms'));
    await p.waitForStderr(/--room <channel id> may be needed/);
    expect(p.stderr).toMatch(/warning: subscribed, but nothing has arrived in 300ms/);
    expect(p.lines).toHaveLength(0);
    p.kill('SIGTERM');
    await p.exit();
    const r = await runInProcess(base(m, '--room', 'room-42', '--room-hint-after', '300ms', '-n', '2'));
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(2);
    expect(r.stderr).not.toMatch(/may be needed/);
  });

  test('pretty output shows the activity type and a summary', async () => {
    const m = await start();
    const r = await runInProcess(base(m, '-o', 'pretty', '--no-color', '--topic', 'channel.activities', '-n', '3'));
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} streamelements channel\.activities follow · twitch · \S+/);
    expect(r.lines[1]).toMatch(/channel\.activities tip · twitch · \S+ · \d+\.\d\d USD/);
    expect(r.lines[2]).toMatch(/channel\.activities subscriber · twitch · \S+ · \d+ months? · tier \w+/);
  });

  test('err_unauthorized on every topic: exit 3 naming the topics, no retry', async () => {
    const m = await start();
    const r = await runInProcess(['streamelements', '--url', m.url, '--token', 'wrong-token', '-o', 'ndjson', '--topic', 'channel.activities', '--topic', 'channel.tips']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refused the token for every topic \(err_unauthorized\): channel\.activities, channel\.tips \(invalid token\)/);
    expect(r.stderr).toMatch(/hint: check --token and --token-type/);
    expect(r.lines).toHaveLength(0);
    expect(m.stats.connections).toBe(1);
  });

  test('err_unauthorized on some topics: a warning naming them, the others stream', async () => {
    const m = await start({ token: ['LIMITED:channel.activities'] });
    const p = inProcess(['streamelements', '--url', m.url, '--token', 'LIMITED', '-o', 'ndjson', '--topic', 'channel.tips', '--topic', 'channel.activities', '-n', '3']);
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: not authorized for channel\.tips \(err_unauthorized: token is not authorized for topic channel\.tips\); the other topics keep streaming/);
    expect(p.events.map((e) => e.topic)).toEqual(['channel.activities', 'channel.activities', 'channel.activities']);
  });

  test('err_bad_request on every topic: exit 2 naming them', async () => {
    const m = await start();
    const r = await runInProcess(base(m, '--topic', 'channel.nope', '--topic', 'channel.nada'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad request \(err_bad_request\) for channel\.nope, channel\.nada/);
    expect(r.stderr).toMatch(/check the --topic names/);
    expect(m.stats.connections).toBe(1);
  });

  test.each(['err_deadline_exceeded', 'err_internal_error'])('%s: the request is retried after a pause, then events flow', async (code) => {
    const m = await start({ failSubscribe: code, failCount: 1 });
    const p = inProcess(base(m, '-n', '2'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`subscribing to channel\\.activities: ${code} \\([a-z ]+\\); trying again in 500ms`));
    const subs = subscribes(m);
    expect(subs).toHaveLength(2);
    expect(subs[0]!.nonce).not.toBe(subs[1]!.nonce);
    expect(seqs(p.events)).toEqual([1, 2]);
  });

  test('rate_limit_exceeded (no nonce): slow down, re-send the unanswered request, events flow', async () => {
    const m = await start({ failSubscribe: 'rate_limit_exceeded', failCount: 1, rate: 20 });
    const p = inProcess(base(m, '--topic', 'channel.activities', '--topic', 'channel.tips'));
    await p.waitFor(() => new Set(p.events.map((e) => e.topic)).size === 2, 'events of both topics');
    p.kill('SIGTERM');
    const r = await p.exit();
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/warning: rate limited by the server \(rate_limit_exceeded\); slowing down and re-sending unanswered subscriptions in 1s/);
    // activities was refused without a nonce; it is asked again after the pause (tips may go before or after it).
    const topics = subscribes(m).map((s) => s.topic);
    expect(topics[0]).toBe('channel.activities');
    expect([...topics].sort()).toEqual(['channel.activities', 'channel.activities', 'channel.tips']);
    expect(m.stats.rateLimited).toBe(1);
    expect(seqs(p.events)).toEqual(range(1, p.events.length));
  });

  test.each(['invalid_message_type', 'invalid_message'])('%s: an error on stderr calling it an evtail bug, and the rest go on', async (code) => {
    const m = await start({ failSubscribe: code, failCount: 1 });
    const p = inProcess(base(m, '--topic', 'channel.activities', '--topic', 'channel.tips', '-n', '2'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`error: the server rejected a message evtail sent as invalid \\(${code}: [a-z ]+, subscribing to channel\\.activities\\); this is a bug in evtail`));
    expect(p.events.map((e) => e.topic)).toEqual(['channel.tips', 'channel.tips']);
  });

  test('pacing: 20 topics, no rate_limit_exceeded, all subscribed', async () => {
    const topics = [
      'channel.activities', 'channel.tips', 'channel.tips.moderation', 'channel.chat.message', 'channel.session.update',
      'channel.session.reset', 'channel.stream.status', 'channel.chatbot.timers', 'channel.chatbot.commands', 'channel.overlay.update',
      'channel.overlay.action', 'channel.kvstore.update', 'channel.songrequest', 'channel.contests', 'channel.giveaways',
      'channel.loyalty.redemptions', 'channel.loyalty.items', 'channel.announcements', 'channel.chatstats', 'channel.follow',
    ];
    const m = await start({ rate: 20 });
    const p = inProcess(base(m, ...topics.flatMap((t) => ['--topic', t])));
    await until(() => m.stats.subscribed === 20, '20 subscriptions', 15_000);
    await p.waitFor(() => p.stderr.includes('subscribed to channel.follow'), 'the last subscription reported');
    p.kill('SIGTERM');
    const r = await p.exit();
    expect(r.code).toBe(143);
    expect(m.stats.rateLimited).toBe(0);
    expect(subscribes(m).map((s) => s.topic)).toEqual(topics);
    expect(r.stderr).not.toMatch(/rate limit/);
  });

  test('reconnect message: back at once with the token, subscriptions restored (not re-sent), no event lost; --verbose hides both secrets', async () => {
    // rate 10: both subscriptions are in before the third event brings the reconnect message.
    const m = await start({ reconnectAfter: 3, rate: 10 });
    const p = inProcess(base(m, '--topic', 'channel.activities', '--topic', 'channel.tips', '-n', '10', '--verbose'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(seqs(p.events)).toEqual(range(1, 10));
    expect(m.stats.restored).toBeGreaterThanOrEqual(2);
    expect(m.stats.connections).toBe(m.stats.restored + 1);
    // Subscribed once, on the first connection; the others were restored by the token.
    expect(subscribes(m).map((s) => s.connection)).toEqual([1, 1]);
    expect(r.stderr).toMatch(/the server asked us to reconnect \(with a reconnect token: subscriptions will be restored\)/);
    expect(r.stderr).toMatch(/ready: subscriptions restored with the reconnect token \(channel\.activities, channel\.tips\)/);
    expect(r.stderr).toMatch(/"reconnect_token":"\*\*\*"/);
    expect(r.stderr).toMatch(/"token":"\*\*\*"/);
    expect(m.issuedReconnectTokens.length).toBeGreaterThanOrEqual(2);
    for (const t of m.issuedReconnectTokens) expect(r.stderr).not.toContain(t);
    expect(r.stderr).not.toContain(TOKEN);
  });

  test('reconnect token refused (closed at once): the next connection subscribes afresh, no event lost', async () => {
    const m = await start({ reconnectAfter: 3, faulty: 1, refuseReconnectToken: true });
    const p = inProcess(base(m, '-n', '6'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(seqs(p.events)).toEqual(range(1, 6));
    expect(m.stats.refusedReconnectTokens).toBe(1);
    expect(m.stats.connections).toBe(3);
    expect(subscribes(m).map((s) => s.connection)).toEqual([1, 3]);
    expect(r.stderr).toMatch(/the server refused the reconnect token .*; subscribing afresh/);
  });

  test('a dropped connection (no token): reconnect with backoff, subscribe again, events continue', async () => {
    const m = await start({ dropAfter: 2, faulty: 1 });
    const p = inProcess(base(m, '-n', '4'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/reconnecting in \d+(ms|\.\d+s|s)/);
    expect(subscribes(m).map((s) => s.connection)).toEqual([1, 2]);
    expect(seqs(p.events)).toEqual([1, 2, 3, 4]);
  });

  test('upgrade 429 with Retry-After: evtail waits as told, then succeeds', async () => {
    const m = await start({ upgradeStatus: 429, retryAfter: 1 });
    const p = inProcess(base(m, '-n', '2'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/reconnecting in 1s: rate limited: HTTP 429, Retry-After 1s/);
    expect(m.stats.upgradesRefused).toBe(1);
    expect(p.events).toHaveLength(2);
  });

  test('upgrade 502 (draining): evtail backs off and succeeds', async () => {
    const m = await start({ upgradeStatus: 502, upgradeFailures: 2 });
    const p = inProcess(base(m, '-n', '2'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr.match(/reconnecting in \S+: the server refused the upgrade: HTTP 502/g)).toHaveLength(2);
    expect(m.stats.upgradesRefused).toBe(2);
    expect(p.events).toHaveLength(2);
  });

  test('server pings keep a quiet link alive; silence past --ping-timeout is a dead link', async () => {
    // Events every 500 ms, pings every 50 ms, --ping-timeout 300ms: only the pings keep the first link alive.
    // After 2 events the first connection goes silent (no events, no pings): evtail must notice and reconnect.
    const m = await start({ rate: 2, pingInterval: 50, silentAfter: 2, faulty: 1 });
    const p = inProcess(base(m, '--ping-timeout', '300ms', '-n', '4'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr.match(/warning: dead link/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/dead link: no sign of life from the server for 300 ms/);
    expect(m.stats.connections).toBe(2);
    expect(m.stats.pings).toBeGreaterThan(4);
    expect(seqs(p.events)).toEqual([1, 2, 3, 4]);
  });

  test('a missing token: exit 2 saying how to pass one; EVTAIL_TOKEN works', async () => {
    const r = await runInProcess(['streamelements', '--url', 'ws://127.0.0.1:9'], { env: baseEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/streamelements: missing --token or EVTAIL_TOKEN/);
    const m = await start();
    const r2 = await runInProcess(['streamelements', '--url', m.url, '-o', 'ndjson', '-n', '1'], { env: baseEnv({ EVTAIL_TOKEN: TOKEN, EVTAIL_TOPIC: 'channel.tips' }) });
    expect(r2.code).toBe(0);
    expect(JSON.parse(r2.lines[0]!).topic).toBe('channel.tips');
  });

  test('evtail demo streamelements --topic channel.activities --topic channel.tips --format ndjson --max-events 5', async () => {
    const r = await runInProcess(['demo', 'streamelements', '--topic', 'channel.activities', '--topic', 'channel.tips', '--format', 'ndjson', '--max-events', '5', '--rate', '50']);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(5);
    const events = r.lines.map((l) => JSON.parse(l));
    expect(events.every((e) => e.provider === 'streamelements' && (e.topic === 'channel.activities' || e.topic === 'channel.tips'))).toBe(true);
  });
});
