/** End to end: the CLI (its main(), in-process; spawned where the process is the point) against the Push mock (a real socketcluster-server 20, protocol version 1) on 127.0.0.1. */
import { afterEach, describe, expect, test } from '@jest/globals';
import { DEMO_CHANNEL_UUID, DEMO_HOST_API, startPushMock, type PushMock } from '../../src/providers/push/mock.js';
import { inProcess, runInProcess } from '../helpers/evtail.js';

let mock: PushMock | undefined;

async function start(options: Record<string, unknown> = {}): Promise<PushMock> {
  mock = await startPushMock({ host: '127.0.0.1', port: 0, rate: 20, ...options });
  return mock;
}

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const args = (m: PushMock, ...more: string[]) => ['push', '--url', m.url, '--channel-uuid', DEMO_CHANNEL_UUID, '--host-api', DEMO_HOST_API, '-o', 'ndjson', ...more];
const seqOf = (ev: Record<string, unknown>) => Number(String(ev.id).replace('push-', ''));
const textOf = (ev: Record<string, unknown>) => (ev.data as { text?: string }).text;

describe('evtail push', () => {
  test('registers, subscribes to its urn and prints messages in the envelope; --send is echoed', async () => {
    const m = await start();
    const p = inProcess([...args(m, '--send', 'hi', '-n', '4')]);
    const r = await p.exit();
    expect(r.code).toBe(0);
    const events = p.events;
    expect(events).toHaveLength(4);
    const urn = [...m.urns][0];
    for (const ev of events) {
      expect(Object.keys(ev)).toEqual(['time', 'provider', 'type', 'id', 'channel', 'data']);
      expect(ev).toMatchObject({ provider: 'push', type: 'message', channel: urn, data: { to: urn } });
    }
    expect(events.map(seqOf)).toEqual([1, 2, 3, 4]);
    expect(events.map(textOf)).toContain('You said: hi');
    expect(m.received).toEqual([{ connection: 1, text: 'hi', userUrn: urn }]);
    expect(r.stderr).toMatch(new RegExp(`registered: urn ${urn}`));
  });

  test('`evtail demo push --send hi --format ndjson --max-events 3`: three envelopes, the echo among them', async () => {
    const r = await runInProcess(['demo', 'push', '--send', 'hi', '--format', 'ndjson', '--max-events', '3']);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(3);
    const events = r.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.every((e) => e.provider === 'push' && typeof e.channel === 'string')).toBe(true);
    expect(events.map(textOf)).toContain('You said: hi');
  });

  test('registration refused: exit 3, once, whether by an error or by a reply without an urn', async () => {
    const m = await start({ refuseRegistration: 'error' });
    const r = await runInProcess(args(m));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error: channel refused: registerUser failed: channel .* is not accepting new users/);
    expect(r.lines).toHaveLength(0);
    expect(m.stats.registrations).toBe(1);
    await m.close();

    const m2 = await start({ refuseRegistration: 'no-urn' });
    const r2 = await runInProcess(args(m2));
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(/channel refused: registerUser answered without an urn/);
    expect(m2.stats.registrations).toBe(1);
  });

  test('a channel UUID the server does not know: exit 3 with a hint', async () => {
    const m = await start({ channelUuid: ['11111111-2222-4333-8444-555555555555'] });
    const r = await runInProcess(args(m));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/channel refused: .*channel 9f4c2b1e-.* not found/);
    expect(r.stderr).toMatch(/hint: check --channel-uuid and --host-api/);
  });

  test('the server stops pinging: dead link, reconnect with the same urn and no second registerUser', async () => {
    const m = await start({ pingInterval: 100, pingTimeout: 1000, stopPingsAfter: 0, faulty: 1 });
    const p = inProcess(args(m, '-n', '30'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/dead link: no sign of life from the server for 1000 ms/);
    expect(m.stats.connections).toBe(2);
    expect(m.stats.registrations).toBe(1);
    const urn = [...m.urns][0];
    expect(m.subscriptions).toEqual([
      { connection: 1, urn },
      { connection: 2, urn },
    ]);
    // Nothing printed twice, nothing out of order (a message in flight when the dead link was cut may be lost).
    const seqs = p.events.map(seqOf);
    expect(seqs).toHaveLength(30);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
  });

  test('a 4001 close (our pongs missed) reconnects at once; every message arrives once, in order', async () => {
    const m = await start({ closeAfter: 2, closeCode: 4001, faulty: 1 });
    const p = inProcess(args(m, '-n', '4'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/reconnecting in 0ms: closed with code 4001 \(client pong timed out\)/);
    expect(m.stats.registrations).toBe(1);
    expect(p.events.map(seqOf)).toEqual([1, 2, 3, 4]);
  });

  test('--stdin sends each line (queued until subscribed); the end of stdin does not end the tail', async () => {
    const m = await start({ rate: 10 });
    const p = inProcess(args(m, '--stdin'), { keepStdinOpen: true });
    p.input.write('first line\n\n'); // before the link is up: queued; the blank line is not sent
    await p.waitFor(() => p.events.some((e) => textOf(e) === 'You said: first line'), 'the echo of the first line');
    p.input.write('second line\n');
    await p.waitFor(() => p.events.some((e) => textOf(e) === 'You said: second line'), 'the echo of the second line');
    p.input.end();
    const seen = p.lines.length;
    await p.waitForLines(seen + 2);
    p.kill('SIGTERM');
    const r = await p.exit();
    expect(r.code).toBe(143);
    const urn = [...m.urns][0];
    expect(m.received).toEqual([
      { connection: 1, text: 'first line', userUrn: urn },
      { connection: 1, text: 'second line', userUrn: urn },
    ]);
  });

  test('--urn resumes a session: no registerUser; an urn the server never issued is refused (exit 3)', async () => {
    const m = await start();
    const r1 = await runInProcess(args(m, '-n', '1'));
    expect(r1.code).toBe(0);
    const urn = (JSON.parse(r1.lines[0]!) as { channel: string }).channel;
    const r2 = await runInProcess(args(m, '--urn', urn, '-n', '2'));
    expect(r2.code).toBe(0);
    expect(m.stats.registrations).toBe(1);
    expect(m.subscriptions.map((s) => s.urn)).toEqual([urn, urn]);
    expect(r2.lines.map((l) => (JSON.parse(l) as { channel: string }).channel)).toEqual([urn, urn]);

    const r3 = await runInProcess(args(m, '--urn', 'not-an-urn-of-this-server'));
    expect(r3.code).toBe(3);
    expect(r3.stderr).toMatch(/refused the subscription to not-an-urn-of-this-server: unknown urn/);
    expect(r3.stderr).toMatch(/hint: the urn given with --urn may have expired/);
  });

  test('--verbose shows the frames and counts the messages for other urns it skips', async () => {
    const m = await start({ strayEvery: 1 });
    const p = inProcess(args(m, '-n', '3', '--verbose'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('> {"event":"#handshake","data":{"authToken":null},"cid":1}');
    expect(r.stderr).toMatch(/> \{"event":"registerUser","data":\{\},"cid":2\}/);
    expect(r.stderr).toMatch(/skipped a message addressed to [0-9a-f-]+, not to [0-9a-f-]+ \(2 skipped so far\)/);
    expect(p.events.map((e) => String(e.id))).toEqual(['push-1', 'push-2', 'push-3']);
  });

  test('a malformed frame: a warning, and the tail goes on', async () => {
    const m = await start({ malformedAfter: 2 });
    const p = inProcess(args(m, '-n', '4'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: a frame did not decode \(not JSON\): \{"event":"#publish","data":\{"channel":/);
    expect(p.events.map(seqOf)).toEqual([1, 2, 3, 4]);
  });

  test('the server closes normally (1000): exit 0, the stream ended', async () => {
    const m = await start({ count: 2 });
    const r = await runInProcess(args(m, '-v'));
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(2);
    expect(r.stderr).toMatch(/the stream ended: closed with code 1000 \(normal closure\): no more messages/);
  });

  test('missing --host, --channel-uuid or --host-api: exit 2 saying which', async () => {
    const r1 = await runInProcess(['push', '--channel-uuid', 'u', '--host-api', 'h']);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/push: missing --host or EVTAIL_HOST/);
    const r2 = await runInProcess(['push', '--host', 'push.example.com', '--host-api', 'h']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/push: missing --channel-uuid or EVTAIL_CHANNEL_UUID/);
    const r3 = await runInProcess(['push', '--host', 'push.example.com', '--channel-uuid', 'u']);
    expect(r3.code).toBe(2);
    expect(r3.stderr.trim().split('\n')).toHaveLength(1);
  });
});
