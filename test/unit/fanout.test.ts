/** FanOut: one envelope per event for every sink; "full" while ANY sink is full; one bounded drain for all. */
import { describe, expect, test } from '@jest/globals';
import { FanOut, type EventSink } from '../../src/output/fanout.js';
import type { TailEvent } from '../../src/types.js';

const ev = (n: number): TailEvent => ({ time: '2026-11-22T18:00:00.000Z', provider: 'p', type: 't', id: String(n), data: { n } });
const tick = () => new Promise<void>((r) => setImmediate(r));

/** A sink that is full when told, and delivers on release(). */
class TestSink implements EventSink {
  lines: string[] = [];
  full = false;
  delivered = 0;
  closed = 0;
  private waiters: (() => void)[] = [];
  constructor(readonly name: string) {}
  write(_ev: TailEvent, line: string): boolean {
    this.lines.push(line);
    return !this.full;
  }
  onDrain(cb: () => void): void {
    if (!this.full) queueMicrotask(cb);
    else this.waiters.push(cb);
  }
  release(): void {
    this.full = false;
    this.delivered = this.lines.length;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  drain(deadlineMs: number): Promise<{ undelivered: number }> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.delivered === this.lines.length || Date.now() >= deadlineMs || this.closed > 0) resolve({ undelivered: this.lines.length - this.delivered });
        else setTimeout(check, 5);
      };
      check();
    });
  }
  async close(): Promise<void> {
    this.closed += 1;
  }
}

describe('FanOut', () => {
  test('each sink gets the same envelope line, serialised once per event', () => {
    const a = new TestSink('a');
    const b = new TestSink('b');
    let serialised = 0;
    const out = new FanOut([a, b], undefined, (e) => (serialised++, JSON.stringify(e.data)));
    expect(out.write(ev(1))).toBe(true);
    expect(a.lines).toEqual(['{"n":1}']);
    expect(b.lines).toEqual(['{"n":1}']);
    expect(serialised).toBe(1);
  });

  test('the default line is the NDJSON envelope without its newline', () => {
    const a = new TestSink('a');
    new FanOut([a]).write(ev(7));
    expect(a.lines).toEqual(['{"time":"2026-11-22T18:00:00.000Z","provider":"p","type":"t","id":"7","data":{"n":7}}']);
  });

  test('full while ANY sink is full; onDrain fires only when all have room', async () => {
    const a = new TestSink('a');
    const b = new TestSink('b');
    const out = new FanOut([a, b]);
    a.full = true;
    expect(out.write(ev(1))).toBe(false);
    b.full = true;
    expect(out.write(ev(2))).toBe(false);
    let drained = 0;
    out.onDrain(() => drained++);
    a.release();
    await tick();
    expect(drained).toBe(0);
    b.release();
    await tick();
    expect(drained).toBe(1);
    expect(out.write(ev(3))).toBe(true);
  });

  test('onDrain with room is called on a later tick, not at once', async () => {
    const out = new FanOut([new TestSink('a')]);
    let drained = false;
    out.onDrain(() => (drained = true));
    expect(drained).toBe(false);
    await tick();
    expect(drained).toBe(true);
  });

  test('drain reports per sink what was not delivered by the deadline; close closes each once per call', async () => {
    const slow = new TestSink('slow');
    const fast = new TestSink('fast');
    const out = new FanOut([slow, fast]);
    out.write(ev(1));
    out.write(ev(2));
    fast.release();
    expect(await out.drain(Date.now() + 30)).toEqual([
      { sink: 'slow', undelivered: 2 },
      { sink: 'fast', undelivered: 0 },
    ]);
    await out.close();
    expect([slow.closed, fast.closed]).toEqual([1, 1]);
  });

  test('cut() brings an unbounded drain to an end (a signal during the wait)', async () => {
    const stuck = new TestSink('stuck');
    const out = new FanOut([stuck]);
    out.write(ev(1));
    const pending = out.drain(Infinity);
    await tick();
    out.cut(Date.now());
    expect(await pending).toEqual([{ sink: 'stuck', undelivered: 1 }]);
    await out.close();
  });

  test('undecodable frames go to the primary sink, and its "full" counts', async () => {
    const frames: string[] = [];
    const primary = Object.assign(new TestSink('stdout'), { undecodable: (f: string) => (frames.push(f), false) });
    const out = new FanOut([primary], primary);
    expect(out.undecodable('garbage{')).toBe(false);
    expect(frames).toEqual(['garbage{']);
  });

  test('failures() sums what sinks finally could not deliver', () => {
    const a = Object.assign(new TestSink('a'), { failures: () => 2 });
    const b = Object.assign(new TestSink('b'), { failures: () => 3 });
    expect(new FanOut([a, b, new TestSink('c')]).failures()).toBe(5);
  });
});
