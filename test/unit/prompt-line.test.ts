/**
 * The --stdin prompt's bottom line (output/prompt-line.ts), in-process on a stream that records what a terminal would
 * get: evtail's writes pass through untouched while no prompt is open; while one is, each is preceded by clearing the
 * prompt line and followed by the prompt with the typed text; the streams keep the terminal's backpressure and errors.
 * The real terminal is tested at a pseudo-terminal (test/e2e/terminal.test.ts).
 */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import { PromptArea } from '../../src/output/prompt-line.js';

class Terminal extends Writable {
  text = '';
  isTTY = true;
  columns = 80;
  constructor(hwm = 16 * 1024) {
    super({ highWaterMark: hwm, decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

function setup() {
  const term = new Terminal();
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  const area = new PromptArea(term as unknown as NodeJS.WriteStream);
  return { term, input, area, out: area.writer(term), err: area.writer(term) };
}

describe('PromptArea', () => {
  test('no prompt open: a write goes through as it is', () => {
    const { term, out } = setup();
    out.write('line 1\n');
    expect(term.text).toBe('line 1\n');
    expect(out.isTTY).toBe(true);
    expect(out.columns).toBe(80);
  });

  test('a prompt open: each write clears the prompt line first and draws the prompt with the typed text again after it', () => {
    const { term, input, area, out, err } = setup();
    const lines: string[] = [];
    const reader = area.lines(input).read((l) => lines.push(l), () => undefined);
    input.write('hel');
    term.text = '';
    out.write('event\n');
    // Cursor to column 1, clear the line, the event, then the prompt and what was typed (cursor after it).
    expect(term.text.startsWith('\x1b[1G\x1b[2Kevent\n')).toBe(true);
    expect(term.text).toMatch(/> hel(\x1b\[\d+G)?$/);
    term.text = '';
    err.write('evtail: status\n');
    expect(term.text.startsWith('\x1b[1G\x1b[2Kevtail: status\n')).toBe(true);
    expect(term.text).toMatch(/> hel(\x1b\[\d+G)?$/);
    input.write('lo\r');
    expect(lines).toEqual(['hello']);
    reader.close();
    term.text = '';
    out.write('after\n');
    expect(term.text).toBe('after\n');
  });

  test("the terminal's backpressure and errors are the writer's", () => {
    const term = new Terminal(4);
    const area = new PromptArea(term as unknown as NodeJS.WriteStream);
    const out = area.writer(term);
    term.cork();
    expect(out.write('more than four bytes')).toBe(false);
    expect(out.writableNeedDrain).toBe(true);
    const drained = new Promise<void>((r) => out.on('drain', r));
    term.uncork();
    const errors: Error[] = [];
    out.on('error', (e: Error) => errors.push(e));
    term.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(errors.map((e) => e.message)).toEqual(['write EPIPE']);
    return drained;
  });
});
