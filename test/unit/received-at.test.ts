/** The envelope's time: ISO 8601 of the receiving millisecond, formatted once per millisecond. */
import { describe, expect, test } from '@jest/globals';
import { receivedAt } from '../../src/transport/received-at.js';

describe('receivedAt', () => {
  test('is the ISO time of the given millisecond, the same string within one millisecond', () => {
    const ms = Date.UTC(2026, 10, 22, 18, 0, 0, 123);
    expect(receivedAt(ms)).toBe('2026-11-22T18:00:00.123Z');
    expect(receivedAt(ms)).toBe(receivedAt(ms));
    expect(receivedAt(ms + 1)).toBe('2026-11-22T18:00:00.124Z');
    expect(receivedAt(ms)).toBe('2026-11-22T18:00:00.123Z');
  });
  test('defaults to now', () => {
    const before = Date.now();
    const t = Date.parse(receivedAt());
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });
});
