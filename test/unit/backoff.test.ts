import { describe, expect, test } from '@jest/globals';
import { Backoff, OutagePacer } from '../../src/session/backoff.js';

describe('Backoff: exponential, full jitter, capped', () => {
  test('the first retry is within 500 ms and the ceiling doubles up to the 30 s cap', () => {
    const b = new Backoff({ random: () => 0.999999 });
    const delays = Array.from({ length: 10 }, () => b.next());
    expect(delays[0]).toBeLessThan(500);
    expect(delays.slice(0, 7)).toEqual([499, 999, 1999, 3999, 7999, 15999, 29999]);
    expect(Math.max(...delays)).toBeLessThan(30_000);
  });

  test('full jitter: the delay is random(0, ceiling)', () => {
    const b = new Backoff({ random: () => 0 });
    expect(b.next()).toBe(0);
    const half = new Backoff({ random: () => 0.5 });
    half.next();
    expect(half.next()).toBe(500);
  });

  test('reset() starts again from the base', () => {
    const b = new Backoff({ random: () => 0.999999 });
    b.next();
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(499);
  });

  test('a custom base and cap', () => {
    const b = new Backoff({ baseMs: 100, capMs: 250, random: () => 0.999999 });
    expect([b.next(), b.next(), b.next()]).toEqual([99, 199, 249]);
  });
});

describe('OutagePacer: a wait that grows with the outage, not with the asking', () => {
  test('quick at first however often it is asked, then half the outage, capped; a long quiet starts over', () => {
    let t = 1_000_000;
    const p = new OutagePacer(100, 10_000, () => t);
    // nats.js asks on every turn of its dial loop: ten asks at the start are all quick
    expect(Array.from({ length: 10 }, () => p.wait())).toEqual(Array(10).fill(100));
    t += 4000;
    expect(p.wait()).toBe(2000);
    // a long outage: asked about every 10 s (the longest wait), the wait stays at the cap
    for (let i = 0; i < 6; i++) {
      t += 10_000;
      expect(p.wait()).toBe(Math.min(10_000, (4000 + 10_000 * (i + 1)) / 2));
    }
    // asked again after a long quiet (the link was up meanwhile): a new outage
    t += 25_000;
    expect(p.wait()).toBe(100);
  });
});
