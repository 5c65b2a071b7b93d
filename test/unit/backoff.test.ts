import { describe, expect, test } from '@jest/globals';
import { Backoff } from '../../src/session/backoff.js';

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
