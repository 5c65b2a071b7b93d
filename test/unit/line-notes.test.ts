/** The pretty printer's hook for --forward-to answers: lines in stream order, each ending with its answers. */
import { Writable } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import { NotedLines, type LineNote } from '../../src/output/line-notes.js';
import { Sink } from '../../src/output/sink.js';
import type { TailEvent } from '../../src/types.js';

class Out extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

function setup(live: boolean) {
  const out = new Out();
  let listener!: (ev: TailEvent, notes: readonly (LineNote | undefined)[]) => void;
  const lines = new NotedLines(new Sink(out), { onNotes: (l) => (listener = l) }, live);
  const ev = (n: number): TailEvent => ({ time: 't', provider: 'p', type: `e${n}`, data: n });
  return { out, lines, ev, note: (e: TailEvent, ...notes: (LineNote | undefined)[]) => listener(e, notes) };
}

describe('NotedLines', () => {
  test('in a pipe each line is written once, when its answer is final, in stream order', () => {
    const { out, lines, ev, note } = setup(false);
    const [a, b] = [ev(1), ev(2)];
    lines.write(a, 'line a\n');
    lines.write(b, 'line b\n');
    note(b, { text: '→ 200 in 3ms', final: true });
    note(a, { text: '→ 503, retry 1 in 400ms', final: false });
    expect(out.text).toBe('');
    note(a, { text: '→ 200 in 5ms after 1 retry', final: true });
    expect(out.text).toBe('line a → 200 in 5ms after 1 retry\nline b → 200 in 3ms\n');
  });

  test('at a terminal the head line shows at once and its answer is rewritten in place', () => {
    const { out, lines, ev, note } = setup(true);
    const a = ev(1);
    lines.write(a, 'line a\n');
    expect(out.text).toBe('line a');
    note(a, { text: '→ 503, retry 1 in 1s', final: false });
    note(a, { text: '→ 200 in 2ms after 1 retry', final: true });
    expect(out.text).toBe('line a\rline a → 503, retry 1 in 1s\x1b[K\rline a → 200 in 2ms after 1 retry\x1b[K\n');
  });

  test('an answer that comes before its line (a sink written first) is kept for it; several targets side by side', () => {
    const { out, lines, ev, note } = setup(false);
    const a = ev(1);
    note(a, { text: '→ 200 in 1ms', final: true }, undefined);
    lines.write(a, 'line a\n');
    expect(out.text).toBe('');
    note(a, { text: '→ 200 in 1ms', final: true }, { text: '→ 400, not retried', final: true });
    expect(out.text).toBe('line a [1] → 200 in 1ms  [2] → 400, not retried\n');
  });
});
