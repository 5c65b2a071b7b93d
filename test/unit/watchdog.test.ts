import { describe, expect, test } from '@jest/globals';
import { Watchdog } from '../../src/session/watchdog.js';
import { FakeClock } from '../helpers/fake-clock.js';

function setup() {
  const clock = new FakeClock();
  const dead: string[] = [];
  let beats = 0;
  const dog = new Watchdog(clock, (r) => dead.push(r));
  return { clock, dead, dog, beats: () => beats, send: () => void beats++ };
}

describe('Watchdog, beat mode (client heartbeats)', () => {
  test('beats every interval while each beat is answered', () => {
    const s = setup();
    s.dog.arm({ mode: 'beat', intervalMs: 1000, send: s.send });
    for (let i = 0; i < 5; i++) {
      s.clock.advance(1000);
      s.dog.feed();
    }
    expect(s.beats()).toBe(5);
    expect(s.dead).toEqual([]);
  });

  test('no answer by the next beat = dead link, within two intervals of the last answer', () => {
    const s = setup();
    s.dog.arm({ mode: 'beat', intervalMs: 1000, send: s.send });
    s.clock.advance(1000); // beat 1
    s.dog.feed();
    s.clock.advance(1000); // beat 2, never answered
    expect(s.dead).toEqual([]);
    s.clock.advance(1000);
    expect(s.dead).toEqual(['no heartbeat answer within 1000 ms']);
    expect(s.beats()).toBe(2);
  });

  test('sendNow beats at once', () => {
    const s = setup();
    s.dog.arm({ mode: 'beat', intervalMs: 1000, send: s.send, sendNow: true });
    expect(s.beats()).toBe(1);
  });

  test('suspended (stdout full): missing answers are not judged, and one interval of grace follows', () => {
    const s = setup();
    s.dog.arm({ mode: 'beat', intervalMs: 1000, send: s.send });
    s.clock.advance(1000);
    s.dog.suspend();
    s.clock.advance(5000);
    expect(s.dead).toEqual([]);
    expect(s.beats()).toBe(6); // still beating so the server keeps us
    s.dog.resume();
    s.clock.advance(1000); // grace
    expect(s.dead).toEqual([]);
    s.clock.advance(1000);
    expect(s.dead).toHaveLength(1);
  });

  test('disarm stops everything', () => {
    const s = setup();
    s.dog.arm({ mode: 'beat', intervalMs: 1000, send: s.send });
    s.dog.disarm();
    s.clock.advance(10_000);
    expect(s.beats()).toBe(0);
    expect(s.clock.pending).toBe(0);
  });
});

describe('Watchdog, silence mode (server heartbeats)', () => {
  test('each sign of life resets the timer; silence past the timeout is a dead link', () => {
    const s = setup();
    s.dog.arm({ mode: 'silence', timeoutMs: 70_000 });
    s.clock.advance(60_000);
    s.dog.feed();
    s.clock.advance(60_000);
    expect(s.dead).toEqual([]);
    s.clock.advance(10_000);
    expect(s.dead).toEqual(['no sign of life from the server for 70000 ms']);
  });

  test('suspended: no verdict; resumed: a full timeout again', () => {
    const s = setup();
    s.dog.arm({ mode: 'silence', timeoutMs: 1000 });
    s.dog.suspend();
    s.clock.advance(5000);
    expect(s.dead).toEqual([]);
    s.dog.resume();
    s.clock.advance(999);
    expect(s.dead).toEqual([]);
    s.clock.advance(1);
    expect(s.dead).toHaveLength(1);
  });
});
