/**
 * The Push driver in-process (evtail's own SocketCluster link, transport/sc-link.ts) against the mock:
 * the hook sequence one connection produces, --stdin from an injected stream, and a clean close.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, test } from '@jest/globals';
import { parseOptions, PushDriver, type PushOptions } from '../../src/providers/push/driver.js';
import { DEMO_CHANNEL_UUID, DEMO_HOST_API, startPushMock, type PushMock } from '../../src/providers/push/mock.js';
import type { DriverContext } from '../../src/providers/spec.js';
import { defaultTransport } from '../../src/transport/ws-transport.js';
import { systemClock, type CloseOutcome, type DriverHooks, type TailEvent } from '../../src/types.js';
import { until } from '../helpers/evtail.js';
import { stubHooks } from '../helpers/hooks.js';

let mock: PushMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

function context(url: string, options: Record<string, unknown>): DriverContext<PushOptions> {
  const common = { url, reconnect: true, maxRetries: 1, quiet: false, verbose: true, maxFrameSize: 1024 * 1024 };
  return { ...parseOptions({ channelUuid: DEMO_CHANNEL_UUID, hostApi: DEMO_HOST_API, ...options }, common), transport: defaultTransport, clock: systemClock };
}

function recorder() {
  const calls: string[] = [];
  const events: TailEvent[] = [];
  const frames: string[] = [];
  const closed: CloseOutcome[] = [];
  const hooks: DriverHooks = stubHooks({
    open: () => calls.push('open'),
    ready: (d) => calls.push(`ready: ${d}`),
    event: (ev) => events.push(ev),
    undecodable: (_f, reason) => calls.push(`undecodable: ${reason}`),
    heartbeat: (spec) => calls.push(`heartbeat: ${spec.mode} ${spec.mode === 'silence' ? spec.timeoutMs : spec.intervalMs}`),
    alive: () => calls.push('alive'),
    frame: (dir, text) => frames.push(`${dir} ${text}`),
    status: (m) => calls.push(`status: ${m}`),
    warn: (m) => calls.push(`warn: ${m}`),
    debug: () => undefined,
    error: (m) => calls.push(`error: ${m}`),
    secret: () => undefined,
    closed: (o) => closed.push(o),
  });
  return { calls, events, frames, closed, hooks };
}

describe('PushDriver', () => {
  test('one connection: open, heartbeat from the handshake, register, ready; stdin lines are sent; close() is done', async () => {
    const m = (mock = await startPushMock({ host: '127.0.0.1', port: 0, rate: 20, pingInterval: 50, pingTimeout: 700 }));
    const input = new PassThrough();
    const driver = new PushDriver(context(m.url, { stdin: true }), input);
    const r = recorder();
    const conn = driver.connect(r.hooks);
    input.write('from stdin\n');
    await until(() => r.events.some((e) => (e.data as { text?: string }).text === 'You said: from stdin'), 'the echo of the stdin line');
    await until(() => r.calls.includes('alive'), 'a #1 from the mock');
    const urn = [...m.urns][0]!;
    expect(driver.urn).toBe(urn);
    // A #1 (alive) may come at any point once the handshake is done: the order of the rest is what matters.
    expect(r.calls.filter((c) => c !== 'alive').slice(0, 4)).toEqual(['open', 'heartbeat: silence 700', `status: registered: urn ${urn}`, `ready: subscribed to ${urn}`]);
    expect(r.frames).toContain('in #1');
    expect(r.frames).toContain('out #2');
    expect(r.frames).toContain(`out {"event":"sendMessageToChannel","data":{"text":"from stdin","userUrn":"${urn}"}}`);
    for (const ev of r.events) expect(ev).toMatchObject({ provider: 'push', channel: urn, raw: expect.stringContaining('"#publish"') });

    conn.close();
    await until(() => r.closed.length > 0, 'closed()');
    expect(r.closed).toEqual([{ recovery: 'done', reason: 'closed by evtail' }]);
    // Stopping lets go of stdin.
    expect(input.listenerCount('data')).toBe(0);
    expect(m.received.map((x) => x.text)).toEqual(['from stdin']);
  });

  test('terminate() (a dead link) reports retry with its reason, once', async () => {
    const m = (mock = await startPushMock({ host: '127.0.0.1', port: 0, rate: 20 }));
    const driver = new PushDriver(context(m.url, {}));
    const r = recorder();
    const conn = driver.connect(r.hooks);
    await until(() => r.events.length > 0, 'an event');
    conn.terminate('dead link: test');
    conn.terminate('again');
    await until(() => r.closed.length > 0, 'closed()');
    expect(r.closed).toEqual([{ recovery: 'retry', reason: 'dead link: test' }]);
  });
});
