/**
 * The one DriverHooks stub for tests that drive a link or a driver without a session: every hook does nothing
 * unless overridden; timer() is backed by the session's own TimerSet on the given clock, so a test can
 * suspend them as the session does while stdout is full.
 */
import { TimerSet } from '../../src/session/timers.js';
import { systemClock, type Clock, type DriverHooks } from '../../src/types.js';

export function stubHooks(overrides: Partial<DriverHooks> = {}, clock: Clock = systemClock): DriverHooks & { timers: TimerSet } {
  const timers = new TimerSet(clock);
  const noop = () => undefined;
  return {
    open: noop,
    ready: noop,
    event: noop,
    undecodable: noop,
    heartbeat: noop,
    alive: noop,
    frame: noop,
    status: noop,
    warn: noop,
    debug: noop,
    error: noop,
    secret: noop,
    timer: (ms, fn) => timers.set(ms, fn),
    closed: noop,
    ...overrides,
    timers,
  };
}
