/** The replay driver on a fake clock: the recorded gaps divided by --speed, and a pause that holds the recording. */
import { describe, expect, test } from '@jest/globals';
import type { RecordLine } from '../../src/output/recorder.js';
import { ReplayDriver } from '../../src/replay/replay-driver.js';
import type { TailEvent } from '../../src/types.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { stubHooks } from '../helpers/hooks.js';

const at = (ms: number) => new Date(Date.UTC(2026, 10, 30, 4, 0, 0) + ms).toISOString();
const line = (ms: number, n: number): RecordLine => ({ t: at(ms), provider: 'fake', dir: 'in', frame: String(n) }) as RecordLine;
const tick = () => new Promise<void>((r) => setImmediate(r));

function replay(speed: number) {
  const clock = new FakeClock();
  const events: string[] = [];
  const decoder = (_dir: 'in' | 'out', frame: string, time: string) => ({ kind: 'events' as const, events: [{ time, provider: 'fake', type: 't', id: frame, data: null } as TailEvent] });
  const driver = new ReplayDriver('fake', [line(0, 1), line(1000, 2), line(3000, 3)], decoder, clock, speed);
  const closed: string[] = [];
  const conn = driver.connect(stubHooks({ event: (ev) => void events.push(ev.id!), closed: (o) => void closed.push(o.recovery) }));
  return { clock, events, conn, closed };
}

describe('ReplayDriver', () => {
  test('--speed 2: the recorded 1 s and 2 s gaps become 500 ms and 1 s', async () => {
    const r = replay(2);
    await tick();
    expect(r.events).toEqual(['1']);
    r.clock.advance(499);
    expect(r.events).toEqual(['1']);
    r.clock.advance(1);
    expect(r.events).toEqual(['1', '2']);
    r.clock.advance(999);
    expect(r.events).toEqual(['1', '2']);
    r.clock.advance(1);
    expect(r.events).toEqual(['1', '2', '3']);
    await tick();
    expect(r.closed).toEqual(['done']);
  });

  test('paused (stdout full), nothing is replayed however long; resumed, it goes on where it stopped', async () => {
    const r = replay(2);
    await tick();
    r.conn.pause();
    r.clock.advance(60_000);
    await tick();
    expect(r.events).toEqual(['1']);
    r.conn.resume();
    await tick();
    expect(r.events).toEqual(['1', '2']);
    r.clock.advance(1000);
    await tick();
    expect(r.events).toEqual(['1', '2', '3']);
  });
});
