/** Sink: stdout with backpressure, and (coalesce) the lines of one tick joined into one write. */
import { Writable } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import { Sink } from '../../src/output/sink.js';

/** A stdout stand-in that records each chunk it is handed; `hold` keeps writes pending until release(). */
class Recorder extends Writable {
  chunks: string[] = [];
  private held: (() => void)[] = [];
  constructor(
    private readonly hold = false,
    highWaterMark = 16 * 1024,
  ) {
    super({ highWaterMark, decodeStrings: true });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk.toString('utf8'));
    if (this.hold) this.held.push(() => cb());
    else cb();
  }
  release(): void {
    const h = this.held;
    this.held = [];
    for (const cb of h) cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));
const line = (i: number, pad = 600) => `{"n":${i},"text":"${'x'.repeat(pad)}"}\n`;

describe('Sink', () => {
  test('without coalesce every write goes to the stream at once', () => {
    const out = new Recorder();
    const sink = new Sink(out);
    sink.write('a\n');
    sink.write('b\n');
    expect(out.chunks).toEqual(['a\n', 'b\n']);
  });

  test('coalesce: the lines of one tick reach the stream as one chunk, in order, at the end of the tick', async () => {
    const out = new Recorder();
    const sink = new Sink(out, { coalesce: true });
    for (let i = 0; i < 20; i++) expect(sink.write(line(i, 10))).toBe(true);
    expect(out.chunks).toEqual([]);
    await tick();
    expect(out.chunks).toHaveLength(1);
    expect(out.text).toBe(Array.from({ length: 20 }, (_, i) => line(i, 10)).join(''));
  });

  test('coalesce: drain() writes what is held back before it resolves, with nothing undelivered', async () => {
    const out = new Recorder();
    const sink = new Sink(out, { coalesce: true });
    sink.write('one\n');
    sink.write('two\n');
    expect(await sink.drain()).toEqual({ undelivered: 0 });
    expect(out.text).toBe('one\ntwo\n');
  });

  test('coalesce: past 64 KiB the chunk goes at once, and write() answers with the stream (backpressure)', async () => {
    const out = new Recorder(true);
    const sink = new Sink(out, { coalesce: true });
    const answers: boolean[] = [];
    for (let i = 0; i < 200; i++) answers.push(sink.write(line(i)));
    // More than 64 KiB were written in this tick: some went to the stream already, and the stream is full.
    expect(out.chunks.length).toBeGreaterThan(0);
    expect(answers.includes(false)).toBe(true);
    expect(answers[answers.length - 1]).toBe(false);
    let drained = false;
    sink.onDrain(() => (drained = true));
    await tick();
    expect(drained).toBe(false);
    while (out.writableLength > 0) {
      out.release();
      await tick();
    }
    expect(drained).toBe(true);
    expect(out.text).toBe(Array.from({ length: 200 }, (_, i) => line(i)).join(''));
  });

  test('coalesce: multi-byte text and lines larger than the pool arrive intact and in order', async () => {
    const out = new Recorder();
    const sink = new Sink(out, { coalesce: true });
    const expected: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const l = i % 500 === 7 ? `{"big":"${'é🚀'.repeat(50_000)}"}\n` : `{"n":${i},"t":"gm 🚀 ünïcödé ${'y'.repeat(i % 300)}"}\n`;
      expected.push(l);
      sink.write(l);
      if (i % 300 === 0) await tick();
    }
    await sink.drain();
    expect(out.text).toBe(expected.join(''));
  });

  test('writeAround: text, bytes and text give the line write() would, mixed with write(), coalesced or not, small or larger than the pool', async () => {
    for (const coalesce of [true, false]) {
      const out = new Recorder();
      const sink = new Sink(out, { coalesce });
      const expected: string[] = [];
      for (let i = 0; i < 600; i++) {
        const payload = i % 200 === 3 ? `{"big":"${'é🚀'.repeat(50_000)}"}` : `{"n":${i},"t":"gm 🚀 ünïcödé ${'y'.repeat(i % 300)}"}`;
        const head = `{"time":"t${i}","type":"ü","data":`;
        expected.push(head + payload + '}\n');
        // Bytes that are a slice of a larger buffer, as a frame's payload is.
        const frame = Buffer.from(`[${payload}]`);
        if (i % 3 === 0) sink.write(head + payload + '}\n');
        else sink.writeAround(head, frame.subarray(1, frame.length - 1), '}\n');
        if (i % 100 === 0) await tick();
      }
      await sink.drain();
      expect(out.text).toBe(expected.join(''));
    }
  });

  test('coalesce: after EPIPE writes are dropped quietly, the break is reported once, drain resolves with nothing to deliver', async () => {
    const out = new Recorder();
    const sink = new Sink(out, { coalesce: true });
    let broken = 0;
    sink.whenBroken(() => broken++);
    sink.write('kept\n');
    await tick();
    out.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(sink.write('dropped\n')).toBe(true);
    expect(await sink.drain()).toEqual({ undelivered: 0 });
    expect(broken).toBe(1);
    expect(out.text).toBe('kept\n');
  });

  test('drain(deadline): a reader that never reads does not hold it; it resolves at the deadline with the lines still held', async () => {
    const out = new Recorder(true, 1024);
    const sink = new Sink(out, { coalesce: true });
    for (let i = 0; i < 300; i++) sink.write(line(i, 100));
    const r = await sink.drain(Date.now() + 50);
    // The stream took the first chunk and never completed it: every line is still undelivered.
    expect(r.undelivered).toBe(300);
    out.release();
    await tick();
    expect(sink.undelivered).toBe(0);
  });

  test('drain(deadline) counts only the lines whose write has not completed', async () => {
    const out = new Recorder(true, 1024);
    const sink = new Sink(out);
    for (let i = 0; i < 3; i++) sink.write(line(i, 10));
    while (out.writableLength > 0) {
      out.release();
      await tick();
    }
    for (let i = 3; i < 5; i++) sink.write(line(i, 10));
    expect(await sink.drain(Date.now())).toEqual({ undelivered: 2 });
  });
});
