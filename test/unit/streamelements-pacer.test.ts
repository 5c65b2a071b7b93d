/** StreamElements' subscription pacing, as a pure scheduler on a fake clock. */
import { describe, expect, test } from '@jest/globals';
import { MAX_INTERVAL_MS, RATE_LIMIT_PAUSE_MS, retryDelay, SUBSCRIBE_INTERVAL_MS, SubscribePacer } from '../../src/providers/streamelements/pacer.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** Run the pacer the way a connection does: send when told, wait on the clock when told to wait. */
function drive(pacer: SubscribePacer, clock: FakeClock, untilMs: number): [number, string][] {
  const sent: [number, string][] = [];
  const pump = () => {
    for (let step = pacer.next(clock.now()); step; step = pacer.next(clock.now())) {
      if ('waitMs' in step) {
        clock.setTimeout(pump, step.waitMs);
        return;
      }
      sent.push([clock.now(), step.send]);
    }
  };
  pump();
  clock.advance(untilMs);
  return sent;
}

describe('SubscribePacer', () => {
  test('one subscribe per 110 ms, the first at once', () => {
    const clock = new FakeClock();
    const pacer = new SubscribePacer({ lastSendAt: Number.NEGATIVE_INFINITY });
    for (const t of ['a', 'b', 'c']) pacer.enqueue(t);
    expect(drive(pacer, clock, 1000)).toEqual([
      [0, 'a'],
      [SUBSCRIBE_INTERVAL_MS, 'b'],
      [2 * SUBSCRIBE_INTERVAL_MS, 'c'],
    ]);
  });

  test('the pace is the server\'s, across connections: a new pacer waits for the last send of the old one', () => {
    const clock = new FakeClock();
    const shared = { lastSendAt: Number.NEGATIVE_INFINITY };
    const first = new SubscribePacer(shared);
    first.enqueue('a');
    drive(first, clock, 50);
    const second = new SubscribePacer(shared);
    second.enqueue('b');
    expect(drive(second, clock, 1000)).toEqual([[SUBSCRIBE_INTERVAL_MS, 'b']]);
  });

  test('rate_limit_exceeded doubles the pace (capped) and pauses sending', () => {
    const clock = new FakeClock();
    const pacer = new SubscribePacer({ lastSendAt: Number.NEGATIVE_INFINITY });
    const resumeAt = pacer.rateLimited(0);
    expect(resumeAt).toBe(RATE_LIMIT_PAUSE_MS);
    expect(pacer.interval).toBe(2 * SUBSCRIBE_INTERVAL_MS);
    pacer.enqueue('a', resumeAt);
    pacer.enqueue('b');
    const sent = drive(pacer, clock, 5000);
    expect(sent[0]).toEqual([RATE_LIMIT_PAUSE_MS, 'b']);
    expect(sent[1]).toEqual([RATE_LIMIT_PAUSE_MS + 2 * SUBSCRIBE_INTERVAL_MS, 'a']);
    for (let i = 0; i < 5; i++) pacer.rateLimited(0);
    expect(pacer.interval).toBe(MAX_INTERVAL_MS);
  });

  test('a topic queued ahead (−Infinity) goes first; remove() takes a topic out', () => {
    const clock = new FakeClock();
    const pacer = new SubscribePacer({ lastSendAt: Number.NEGATIVE_INFINITY });
    pacer.enqueue('a');
    pacer.enqueue('b');
    pacer.enqueue('c', Number.NEGATIVE_INFINITY);
    pacer.remove('a');
    expect(drive(pacer, clock, 1000).map(([, t]) => t)).toEqual(['c', 'b']);
  });

  test('retries wait 0.5 s, 1 s, 2 s, 4 s; the fifth failure gives up', () => {
    expect([1, 2, 3, 4].map(retryDelay)).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelay(5)).toBeUndefined();
  });
});
