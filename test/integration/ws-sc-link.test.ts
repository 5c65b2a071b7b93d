/** ScLink (the SocketCluster connection behind `evtail socketcluster`) against a real server, with a fake clock for its deadline. */
import http from 'node:http';
import { afterEach, describe, expect, test } from '@jest/globals';
import { attach, type AGServer } from 'socketcluster-server';
import { parseScUrl } from '../../src/transport/sc-classify.js';
import { ScLink } from '../../src/transport/sc-link.js';
import { defaultTransport } from '../../src/transport/ws-transport.js';
import type { CloseOutcome, DriverHooks, HeartbeatSpec } from '../../src/types.js';
import { until } from '../helpers/evtail.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { stubHooks } from '../helpers/hooks.js';

let server: AGServer | undefined;
let httpServer: http.Server | undefined;
let link: ScLink | undefined;

/** A server that never answers a subscription to "slow" (its middleware holds the action). */
async function start(): Promise<string> {
  httpServer = http.createServer();
  server = attach(httpServer);
  const s = server;
  s.setMiddleware(s.MIDDLEWARE_INBOUND, async (stream) => {
    for await (const action of stream) {
      if (action.type === action.SUBSCRIBE && action.channel === 'slow') continue;
      action.allow();
    }
  });
  await new Promise<void>((r) => httpServer!.listen(0, '127.0.0.1', () => r()));
  return `ws://127.0.0.1:${(httpServer.address() as { port: number }).port}/socketcluster/`;
}

afterEach(async () => {
  link?.terminate('test over');
  link = undefined;
  server?.closeAllListeners();
  await server?.close(true);
  httpServer?.closeAllConnections();
  await new Promise<void>((r) => (httpServer ? httpServer.close(() => r()) : r()));
  server = undefined;
  httpServer = undefined;
});

function recorder(clock: FakeClock) {
  const seen = { heartbeat: undefined as HeartbeatSpec | undefined, closed: undefined as CloseOutcome | undefined, ready: [] as string[][] };
  const hooks = stubHooks({ heartbeat: (spec) => void (seen.heartbeat = spec), closed: (o) => void (seen.closed = o) }, clock);
  return { seen, hooks };
}

function open(url: string, hooks: DriverHooks, onSubscribed?: (c: string[]) => void): ScLink {
  link = new ScLink(
    hooks,
    { url, endpoint: parseScUrl(url)!, protocolVersion: 2, transport: defaultTransport, channels: ['fast', 'slow'], ackTimeoutMs: 300 },
    { onPublish: () => undefined, onSubscribed },
  );
  return link;
}

describe('ScLink', () => {
  test('a subscription left unanswered ends the link (retry) once the deadline passes', async () => {
    const url = await start();
    const clock = new FakeClock();
    const { seen, hooks } = recorder(clock);
    const l = open(url, hooks);
    await until(() => seen.heartbeat !== undefined && clock.pending === 1 && l.isSubscribed('fast'), 'the handshake, the deadline armed, "fast" subscribed');
    expect(seen.heartbeat).toEqual({ mode: 'silence', timeoutMs: 30_000 }); // the server's default pingTimeout
    clock.advance(299);
    expect(seen.closed).toBeUndefined();
    clock.advance(1);
    await until(() => seen.closed !== undefined, 'the link closed');
    expect(seen.closed).toEqual({ recovery: 'retry', reason: 'no answer to #subscribe (slow) within 300ms' });
  });

  test('the deadline does not run while paused (the answers cannot be read then)', async () => {
    const url = await start();
    const clock = new FakeClock();
    const { seen, hooks } = recorder(clock);
    const l = open(url, hooks);
    // What the session does when stdout is full: pause the socket and the connection's timers.
    l.pause();
    hooks.timers.suspend();
    await until(() => seen.heartbeat !== undefined, 'the handshake');
    expect(clock.pending).toBe(0);
    clock.advance(10_000);
    expect(seen.closed).toBeUndefined();
    l.resume();
    hooks.timers.resume();
    expect(clock.pending).toBe(1);
    clock.advance(300);
    await until(() => seen.closed !== undefined, 'the link closed');
    expect(seen.closed).toMatchObject({ recovery: 'retry' });
  });

  test('close() reports done, once', async () => {
    const url = await start();
    const clock = new FakeClock();
    const { seen, hooks } = recorder(clock);
    let closes = 0;
    const h = { ...hooks, closed: (o: CloseOutcome) => void (closes++, hooks.closed(o)) };
    const l = open(url, h);
    await until(() => seen.heartbeat !== undefined, 'the handshake');
    l.close();
    await until(() => seen.closed !== undefined, 'the link closed');
    expect(seen.closed).toEqual({ recovery: 'done', reason: 'closed by evtail' });
    l.terminate('again');
    expect(closes).toBe(1);
    expect(clock.pending).toBe(0);
  });
});
