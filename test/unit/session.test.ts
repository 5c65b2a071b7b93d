/** The reconnect loop against a scripted driver and a fake clock. */
import { describe, expect, test } from '@jest/globals';
import { AuthError } from '../../src/errors.js';
import { endError, endText, exitCode } from '../../src/exit.js';
import { statusObserver, type Reporter } from '../../src/output/session-status.js';
import { Session, type EventOutput, type SessionOptions, type SessionStatus } from '../../src/session/session.js';
import type { Connection, Driver, DriverHooks, TailEvent } from '../../src/types.js';
import { FakeClock } from '../helpers/fake-clock.js';

class FakeConn implements Connection {
  closed = false;
  paused = false;
  terminated: string | undefined;
  constructor(private readonly hooks: DriverHooks) {}
  close(): void {
    this.closed = true;
    this.hooks.closed({ recovery: 'done', reason: 'closed by evtail' });
  }
  terminate(reason: string): void {
    this.terminated = reason;
    this.hooks.closed({ recovery: 'retry', reason });
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
}

class FakeDriver implements Driver {
  readonly provider = 'fake';
  hooks: DriverHooks[] = [];
  conns: FakeConn[] = [];
  connect(hooks: DriverHooks): Connection {
    this.hooks.push(hooks);
    const c = new FakeConn(hooks);
    this.conns.push(c);
    return c;
  }
  get last(): DriverHooks {
    return this.hooks[this.hooks.length - 1]!;
  }
}

const ev = (n: number): TailEvent => ({ time: new Date(0).toISOString(), provider: 'fake', type: 't', id: String(n), data: { n } });

function setup(over: Partial<SessionOptions> = {}) {
  const clock = new FakeClock();
  const driver = new FakeDriver();
  const written: TailEvent[] = [];
  let full = false;
  let drainCb: (() => void) | undefined;
  const output: EventOutput = {
    write: (e) => {
      written.push(e);
      return !full;
    },
    undecodable: () => true,
    onDrain: (cb) => (drainCb = cb),
  };
  const log: string[] = [];
  const reporter: Reporter = {
    status: (m) => log.push(`status ${m}`),
    ready: (m) => log.push(`ready ${m}`),
    warn: (m) => log.push(`warn ${m}`),
    error: (m) => log.push(`error ${m}`),
    debug: () => undefined,
    frame: () => undefined,
  };
  // The session writes no text: its typed status goes to the observers; the CLI's status observer words it.
  const statuses: SessionStatus[] = [];
  const observers = [statusObserver(reporter), { status: (e: SessionStatus) => statuses.push(e) }, ...(over.observers ?? [])];
  const session = new Session({ driver, output, clock, reconnect: true, maxRetries: 3, backoff: { random: () => 0.999 }, ...over, observers });
  const done = session.run();
  return {
    clock,
    driver,
    written,
    log,
    statuses,
    session,
    done,
    setFull: (v: boolean) => (full = v),
    drain: () => drainCb?.(),
  };
}

describe('Session', () => {
  test('events pass through; --max-events ends with 0 and closes the link', async () => {
    const s = setup({ maxEvents: 2 });
    s.driver.last.open();
    s.driver.last.ready();
    s.driver.last.event(ev(1));
    s.driver.last.event(ev(2));
    s.driver.last.event(ev(3));
    const r = await s.done;
    expect(exitCode(r.end)).toBe(0);
    expect(s.written.map((e) => e.id)).toEqual(['1', '2']);
    expect(s.driver.conns[0]!.closed).toBe(true);
  });

  test('a retry verdict reconnects after the backoff; the budget runs out with exit 5', async () => {
    const s = setup({ maxRetries: 2 });
    s.driver.last.closed({ recovery: 'retry', reason: 'connection refused' });
    expect(s.driver.hooks).toHaveLength(1);
    s.clock.advance(499);
    expect(s.driver.hooks).toHaveLength(2);
    s.driver.last.closed({ recovery: 'retry', reason: 'connection refused' });
    s.clock.advance(999);
    expect(s.driver.hooks).toHaveLength(3);
    s.driver.last.closed({ recovery: 'retry', reason: 'connection refused' });
    const r = await s.done;
    expect(exitCode(r.end)).toBe(5);
    expect(endError(r.end)?.message).toMatch(/gave up after 2 reconnect attempts: connection refused/);
    expect(s.log).toContain('status reconnecting in 499ms: connection refused');
    expect(r.end).toEqual({ kind: 'gave-up', attempts: 2, windowMs: undefined, reason: 'connection refused' });
    expect(s.statuses).toContainEqual({ kind: 'reconnecting', delayMs: 499, reason: 'connection refused' });
  });

  test('auth refusal is fatal: exit 3, never retried', async () => {
    const s = setup();
    s.driver.last.closed({ recovery: 'fatal', error: new AuthError('bad token') });
    const r = await s.done;
    expect(exitCode(r.end)).toBe(3);
    expect(r.end.kind).toBe('fatal');
    s.clock.advance(60_000);
    expect(s.driver.hooks).toHaveLength(1);
  });

  test('--no-reconnect: a drop is exit 5', async () => {
    const s = setup({ reconnect: false });
    s.driver.last.ready();
    s.driver.last.closed({ recovery: 'retry', reason: 'closed with code 1006' });
    const r = await s.done;
    expect(exitCode(r.end)).toBe(5);
    expect(endError(r.end)?.message).toBe('connection lost: closed with code 1006');
  });

  test('a done verdict (normal closure) ends with 0', async () => {
    const s = setup();
    s.driver.last.closed({ recovery: 'done', reason: 'closed with code 1000' });
    expect(exitCode((await s.done).end)).toBe(0);
  });

  test('a healthy connection resets the backoff and the retry budget', async () => {
    const s = setup({ maxRetries: 1, healthyAfterMs: 5000 });
    for (let i = 0; i < 4; i++) {
      s.driver.last.ready();
      s.driver.last.alive();
      s.clock.advance(5000);
      s.driver.last.closed({ recovery: 'retry', reason: 'drop' });
      s.clock.advance(499); // first-retry delay every time: the backoff was reset
    }
    expect(s.driver.hooks).toHaveLength(5);
    expect(s.session.isFinished).toBe(false);
  });

  test('a connection ready for long but never proven alive resets nothing: the retry budget runs out', async () => {
    const s = setup({ maxRetries: 1, healthyAfterMs: 5000, connectTimeoutMs: 60_000 });
    s.driver.last.ready();
    s.clock.advance(6000);
    s.driver.last.closed({ recovery: 'retry', reason: 'dead link' });
    s.clock.advance(500);
    s.driver.last.ready();
    s.clock.advance(6000);
    s.driver.last.closed({ recovery: 'retry', reason: 'dead link' });
    const r = await s.done;
    expect(exitCode(r.end)).toBe(5);
    expect(endText(r.end)).toMatch(/gave up after 1 reconnect attempt: dead link/);
  });

  test('proof of life after the healthy time still resets the budget (a quiet feed with a slow heartbeat)', async () => {
    const s = setup({ maxRetries: 1, healthyAfterMs: 5000, connectTimeoutMs: 60_000 });
    s.driver.last.closed({ recovery: 'retry', reason: 'drop' });
    s.clock.advance(500);
    s.driver.last.ready();
    s.clock.advance(20_000);
    s.driver.last.event(ev(1));
    s.driver.last.closed({ recovery: 'retry', reason: 'drop' });
    s.clock.advance(500);
    expect(s.session.isFinished).toBe(false);
    expect(s.driver.hooks).toHaveLength(3);
  });

  test('--connect-timeout: an attempt not ready by the deadline is cut and counts against the budget', async () => {
    const s = setup({ maxRetries: 1, connectTimeoutMs: 3000 });
    s.clock.advance(3000);
    expect(s.driver.conns[0]!.terminated).toMatch(/not ready within 3s of connecting \(--connect-timeout\)/);
    s.clock.advance(500);
    expect(s.driver.hooks).toHaveLength(2);
    s.driver.last.open();
    s.clock.advance(3000);
    const r = await s.done;
    expect(exitCode(r.end)).toBe(5);
    expect(endText(r.end)).toMatch(/gave up after 1 reconnect attempt: not ready within 3s/);
  });

  test('--connect-timeout does not touch a connection that became ready', async () => {
    const s = setup({ maxRetries: 0, connectTimeoutMs: 3000 });
    s.driver.last.ready();
    s.clock.advance(10_000);
    expect(s.driver.conns[0]!.terminated).toBeUndefined();
    expect(s.session.isFinished).toBe(false);
  });

  test('an event the output cannot print is one warning, not counted by --max-events; the next ones are', async () => {
    const s = setup({ maxEvents: 2 });
    const write = s.session['opts'].output.write;
    s.session['opts'].output.write = (e: TailEvent) => {
      if (e.id === 'deep') throw new RangeError('Maximum call stack size exceeded');
      return write(e);
    };
    s.driver.last.ready();
    s.driver.last.event({ ...ev(0), id: 'deep' });
    s.driver.last.event(ev(1));
    expect(s.session.isFinished).toBe(false);
    s.driver.last.event(ev(2));
    const r = await s.done;
    expect(exitCode(r.end)).toBe(0);
    expect(s.written.map((e) => e.id)).toEqual(['1', '2']);
    expect(s.log.filter((l) => l.startsWith('warn '))).toEqual(['warn an event of type "t" could not be printed (nested too deeply); skipped it']);
  });

  test('--retry-window: only attempts inside the window count', async () => {
    const s = setup({ maxRetries: 2, retryWindowMs: 10_000, backoff: { random: () => 0, capMs: 1 } });
    for (let i = 0; i < 6; i++) {
      s.driver.last.closed({ recovery: 'retry', reason: 'drop' });
      s.clock.advance(6000);
    }
    expect(s.session.isFinished).toBe(false);
  });

  test('a dead link (missed heartbeat) terminates and reconnects', async () => {
    const s = setup();
    s.driver.last.ready();
    let beats = 0;
    s.driver.last.heartbeat({ mode: 'beat', intervalMs: 1000, send: () => void beats++ });
    s.clock.advance(2000);
    expect(s.driver.conns[0]!.terminated).toBe('dead link: no heartbeat answer within 1000 ms');
    expect(s.log.some((l) => l.startsWith('status reconnecting in') && l.includes('dead link'))).toBe(true);
    s.clock.advance(500);
    expect(s.driver.hooks).toHaveLength(2);
    expect(beats).toBe(1);
  });

  test('backpressure pauses the link until drain, and the watchdog does not judge meanwhile', async () => {
    const s = setup();
    s.driver.last.ready();
    s.driver.last.heartbeat({ mode: 'beat', intervalMs: 1000, send: () => undefined });
    s.setFull(true);
    s.driver.last.event(ev(1));
    expect(s.driver.conns[0]!.paused).toBe(true);
    s.clock.advance(10_000);
    expect(s.driver.conns[0]!.terminated).toBeUndefined();
    s.setFull(false);
    s.drain();
    expect(s.driver.conns[0]!.paused).toBe(false);
  });

  test('a reconnect while stdout is full waits for drain, and the new link is not left paused', async () => {
    const s = setup();
    s.driver.last.ready();
    s.setFull(true);
    s.driver.last.event(ev(1));
    expect(s.driver.conns[0]!.paused).toBe(true);
    s.driver.last.closed({ recovery: 'retry', reason: 'drop' });
    s.clock.advance(30_000);
    expect(s.driver.hooks).toHaveLength(1); // no connection while the reader has not caught up
    s.setFull(false);
    s.drain();
    expect(s.driver.hooks).toHaveLength(2);
    expect(s.driver.conns[1]!.paused).toBe(false);
    s.driver.last.event(ev(2));
    expect(s.written.map((e) => e.id)).toEqual(['1', '2']);
  });

  test('a silence watchdog armed after a paused reconnect still watches, and feeding keeps it quiet', async () => {
    const s = setup();
    s.driver.last.ready();
    s.driver.last.heartbeat({ mode: 'silence', timeoutMs: 1000 });
    s.setFull(true);
    s.driver.last.event(ev(1));
    s.driver.last.closed({ recovery: 'retry', reason: 'drop' });
    s.setFull(false);
    s.drain();
    s.driver.last.ready();
    s.driver.last.heartbeat({ mode: 'silence', timeoutMs: 1000 });
    for (let i = 0; i < 5; i++) {
      s.clock.advance(500);
      s.driver.last.alive();
    }
    expect(s.driver.conns[1]!.terminated).toBeUndefined();
    s.clock.advance(1000);
    expect(s.driver.conns[1]!.terminated).toBe('dead link: no sign of life from the server for 1000 ms');
  });

  test('a driver that throws while connecting ends the run with exit 1, not a crash', async () => {
    const s = setup();
    s.driver.connect = () => {
      throw new TypeError('Invalid URL');
    };
    s.driver.last.closed({ recovery: 'retry', reason: 'drop' });
    s.clock.advance(1000);
    const r = await s.done;
    expect(exitCode(r.end)).toBe(1);
    expect(endError(r.end)?.message).toMatch(/Invalid URL/);
  });

  test('callbacks from an old connection are ignored', async () => {
    const s = setup();
    const old = s.driver.last;
    old.closed({ recovery: 'retry', reason: 'drop' });
    s.clock.advance(500);
    old.event(ev(99));
    old.closed({ recovery: 'fatal', error: new AuthError('stale') });
    expect(s.written).toEqual([]);
    expect(s.session.isFinished).toBe(false);
  });

  test('--timeout ends with 4; --idle-timeout ends with 6 after silence only', async () => {
    const t = setup({ timeoutMs: 1000 });
    t.clock.advance(1000);
    expect(exitCode((await t.done).end)).toBe(4);
    const i = setup({ idleTimeoutMs: 1000 });
    i.driver.last.ready();
    i.clock.advance(900);
    i.driver.last.event(ev(1));
    i.clock.advance(900);
    expect(i.session.isFinished).toBe(false);
    i.clock.advance(100);
    const r = await i.done;
    expect(exitCode(r.end)).toBe(6);
    expect(endError(r.end)?.message).toMatch(/no event arrived for 1s/);
  });

  test('--duration ends with 0 when the time is up, events or not', async () => {
    const d = setup({ durationMs: 1000 });
    d.driver.last.ready();
    d.driver.last.event(ev(1));
    d.clock.advance(999);
    expect(d.session.isFinished).toBe(false);
    d.clock.advance(1);
    const r = await d.done;
    expect(exitCode(r.end)).toBe(0);
    expect(endError(r.end)).toBeUndefined();
    expect(endText(r.end)).toMatch(/--duration/);
  });

  test('a retry that asks for a delay (Retry-After) waits at least that long', async () => {
    const s = setup({ backoff: { random: () => 0 } });
    s.driver.last.closed({ recovery: 'retry', reason: 'HTTP 429', delayMs: 3000 });
    s.clock.advance(2999);
    expect(s.driver.hooks).toHaveLength(1);
    s.clock.advance(1);
    expect(s.driver.hooks).toHaveLength(2);
  });

  test('stats count events, reconnects and time connected', async () => {
    const s = setup({ maxEvents: 2 });
    s.driver.last.ready();
    s.clock.advance(1000);
    s.driver.last.event(ev(1));
    s.driver.last.closed({ recovery: 'retry', reason: 'drop' });
    s.clock.advance(499);
    s.driver.last.ready();
    s.clock.advance(500);
    s.driver.last.event(ev(2));
    const r = await s.done;
    expect(r.stats).toMatchObject({ eventsSeen: 2, eventsPrinted: 2, reconnects: 1, connectedMs: 1500, gapMs: 499 });
  });

  test("a driver's timers are the session's: they stop while stdout is full, resume with what was left, and die with the connection", () => {
    const s = setup();
    s.driver.last.ready();
    const fired: string[] = [];
    s.driver.last.timer(1000, () => fired.push('deadline'));
    s.clock.advance(400);
    s.setFull(true);
    s.driver.last.event(ev(1)); // stdout full: the socket and the timers pause
    expect(s.driver.conns[0]!.paused).toBe(true);
    s.clock.advance(10_000);
    expect(fired).toEqual([]);
    s.setFull(false);
    s.drain();
    s.clock.advance(599);
    expect(fired).toEqual([]);
    s.clock.advance(1);
    expect(fired).toEqual(['deadline']);
    // A timer of a connection that closed never fires, even if its driver still holds it.
    s.driver.last.timer(100, () => fired.push('late'));
    s.driver.last.closed({ recovery: 'retry', reason: 'drop' });
    s.clock.advance(1000);
    expect(fired).toEqual(['deadline']);
  });

  test('the verdict a connection reports is the one the session acts on (a dead link is the link\'s fact, not rewritten)', async () => {
    const s = setup({ reconnect: false });
    s.driver.last.ready();
    s.driver.last.heartbeat({ mode: 'beat', intervalMs: 1000, send: () => undefined });
    s.clock.advance(2000);
    const r = await s.done;
    expect(s.driver.conns[0]!.terminated).toBe('dead link: no heartbeat answer within 1000 ms');
    expect(exitCode(r.end)).toBe(5);
    expect(endError(r.end)?.message).toBe('connection lost: dead link: no heartbeat answer within 1000 ms');
  });

  test('the state: connecting → ready → waiting (backoff) → connecting → finished', async () => {
    const s = setup({ maxEvents: 1 });
    expect(s.session.current).toBe('connecting');
    s.driver.last.ready();
    expect(s.session.current).toBe('ready');
    s.driver.last.closed({ recovery: 'retry', reason: 'drop' });
    expect(s.session.current).toBe('waiting');
    s.clock.advance(1000);
    expect(s.session.current).toBe('connecting');
    s.driver.last.ready();
    s.driver.last.event(ev(1));
    await s.done;
    expect(s.session.current).toBe('finished');
  });
});
