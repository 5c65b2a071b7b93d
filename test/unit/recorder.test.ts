/** --record opening and backpressure, on real files and a real FIFO. */
import { chmodSync, closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { Recorder } from '../../src/output/recorder.js';
import { Redactor } from '../../src/redact.js';
import { UsageError } from '../../src/errors.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'evtail-rec-'));
const meta = { version: 'test' };
const ev = { time: '', provider: 'p', type: 't', data: null };

describe('Recorder.open', () => {
  test('a symbolic link is refused with a usage error, and its target is left unchanged', async () => {
    const d = dir();
    const target = path.join(d, 'target');
    writeFileSync(target, 'precious\n');
    const link = path.join(d, 'rec.ndjson');
    symlinkSync(target, link);
    const opening = Recorder.open(link, 'p', new Redactor([]), meta, () => undefined);
    await expect(opening).rejects.toBeInstanceOf(UsageError);
    await expect(opening).rejects.toThrow(`--record: ${link} is a symbolic link`);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
  });

  test('a new file is created 0600 without a warning; an existing file readable by others draws one', async () => {
    const d = dir();
    const warnings: string[] = [];
    const fresh = path.join(d, 'new.ndjson');
    await (await Recorder.open(fresh, 'p', new Redactor([]), meta, (m) => warnings.push(m))).close();
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    expect(warnings).toEqual([]);
    const shared = path.join(d, 'shared.ndjson');
    writeFileSync(shared, '');
    chmodSync(shared, 0o644);
    await (await Recorder.open(shared, 'p', new Redactor([]), meta, (m) => warnings.push(m))).close();
    expect(warnings).toEqual([`--record: ${shared} is readable by other users (mode 644) and will hold every frame of this stream; run: chmod 600 ${shared}`]);
    expect(readFileSync(shared, 'utf8')).toMatch(/"dir":"meta"/);
  });
});

describe('Recorder as a sink', () => {
  test('into a FIFO nobody reads it says "full" within a bounded amount, then drains when the reader reads', async () => {
    const d = dir();
    const fifo = path.join(d, 'rec.fifo');
    execFileSync('mkfifo', [fifo]);
    const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const rec = await Recorder.open(fifo, 'p', new Redactor([]), meta, () => undefined);
      const frame = JSON.stringify({ op: 0, d: { text: 'x'.repeat(500) } });
      let frames = 0;
      while (rec.write(ev, '') && frames < 100_000) {
        rec.frame('in', frame, Date.now());
        frames += 1;
        // The file stream writes on the thread pool: let it run, as the socket would between frames.
        await new Promise((r) => setImmediate(r));
      }
      // Held back: the pipe (64 KiB) plus the stream's 64 KiB high-water mark, not everything offered.
      expect(frames).toBeLessThan(2000);
      let drained = false;
      rec.onDrain(() => (drained = true));
      const buf = Buffer.alloc(64 * 1024);
      let got = '';
      while (!drained) {
        try {
          got += buf.subarray(0, readSync(readFd, buf, 0, buf.length, null)).toString('utf8');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        }
        await new Promise((r) => setImmediate(r));
      }
      expect(await rec.drain(Date.now() + 5000)).toEqual({ undelivered: 0 });
      await rec.close();
      for (;;) {
        const n = readSync(readFd, buf, 0, buf.length, null);
        if (n === 0) break;
        got += buf.subarray(0, n).toString('utf8');
      }
      const lines = got.split('\n').filter(Boolean);
      expect(lines).toHaveLength(frames + 1);
    } finally {
      closeSync(readFd);
    }
  });
});
