/**
 * --record <file>: every frame in and out, appended as NDJSON {t, provider, dir, frame}, secrets redacted.
 * The first line of each run is {t, provider, dir: "meta", url, evtail}, so a recording says where it came from.
 *
 * The recording is an EventSink of the run's FanOut: while its file (or FIFO) is behind, the socket is paused like
 * for a slow stdout, so memory stays bounded whatever the disk speed. It is opened without following a symbolic link
 * (an attacker's link must not make evtail append to the link's target), created 0600, and an existing file that
 * others can read draws a warning.
 */
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { UsageError } from '../errors.js';
import type { Redactor } from '../redact.js';
import type { SessionObserver } from '../session/session.js';
import type { TailEvent } from '../types.js';
import type { EventSink } from './fanout.js';

export interface RecordLine {
  t: string;
  provider: string;
  dir: 'in' | 'out' | 'meta';
  frame?: string;
  /** "base64" for a binary frame: `frame` holds its bytes in base64. */
  encoding?: 'base64';
  /** In the meta line: the provider's options that shape decoding (never secrets), for replay. */
  options?: Record<string, unknown>;
  url?: string;
  evtail?: string;
}

export interface RecordMeta {
  url?: string;
  version: string;
  options?: Record<string, unknown>;
}

export class Recorder implements SessionObserver, EventSink {
  readonly name: string;
  private failed: Error | undefined;
  /** Lines written whose write has not completed. */
  private pending = 0;
  private drainWaiters: (() => void)[] = [];
  /** drain() hit its deadline with lines still pending: close() abandons them. */
  private stuck = false;

  private constructor(
    private readonly file: string,
    private readonly provider: string,
    private readonly redactor: Redactor,
    private readonly out: WriteStream,
  ) {
    this.name = `--record ${file}`;
    out.on('error', (err) => {
      this.failed ??= err;
      this.release();
    });
    out.on('drain', () => this.release());
  }

  /** Open (never through a symbolic link) and write the meta line. `warn` gets the readable-by-others warning. */
  /** `file` as the user gave it (what messages name), opened from `cwd` if relative. */
  static async open(file: string, provider: string, redactor: Redactor, meta: RecordMeta, warn: (message: string) => void, cwd = process.cwd()): Promise<Recorder> {
    const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;
    let handle;
    try {
      handle = await open(path.resolve(cwd, file), flags, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new UsageError(`--record: ${file} is a symbolic link; evtail does not write through one`, 'pass the path of the file itself, or a new file name');
      throw new UsageError(`--record: cannot write ${file} (${code ?? (err as Error).message})`);
    }
    const stat = await handle.stat();
    if (stat.isFile() && (stat.mode & 0o044) !== 0) {
      warn(`--record: ${file} is readable by other users (mode ${(stat.mode & 0o777).toString(8)}) and will hold every frame of this stream; run: chmod 600 ${file}`);
    }
    const out = createWriteStream(file, { fd: handle, highWaterMark: 64 * 1024 });
    const r = new Recorder(file, provider, redactor, out);
    const options = meta.options ? (JSON.parse(redactor.redact(JSON.stringify(meta.options))) as Record<string, unknown>) : undefined;
    r.line({ t: new Date().toISOString(), provider, dir: 'meta', url: meta.url ? redactor.redact(meta.url) : undefined, evtail: meta.version, options });
    return r;
  }

  frame(dir: 'in' | 'out', text: string, at: number, bytes?: Buffer): void {
    const t = new Date(at).toISOString();
    if (bytes) this.line({ t, provider: this.provider, dir, frame: bytes.toString('base64'), encoding: 'base64' });
    else this.line({ t, provider: this.provider, dir, frame: this.redactor.redact(text) });
  }

  /** The event's frames were recorded by frame(); an event only asks whether the file is keeping up. */
  write(_ev?: TailEvent, _line?: string): boolean {
    return this.failed !== undefined || !this.out.writableNeedDrain;
  }

  onDrain(cb: () => void): void {
    if (this.write()) queueMicrotask(cb);
    else this.drainWaiters.push(cb);
  }

  /** Lines not yet written when the deadline passed (a FIFO nobody reads). */
  drain(deadlineMs: number): Promise<{ undelivered: number }> {
    if (this.failed || this.pending === 0) return Promise.resolve({ undelivered: this.failed ? this.pending : 0 });
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        this.stuck = this.pending > 0;
        resolve({ undelivered: this.pending });
      };
      if (Number.isFinite(deadlineMs)) timer = setTimeout(done, Math.max(0, deadlineMs - Date.now()));
      this.out.write('', done);
    });
  }

  /** Close the file; a recording still stuck (nobody reads the FIFO) is abandoned rather than waited for. */
  async close(): Promise<void> {
    if (this.out.closed || this.out.destroyed) return;
    if (this.stuck || this.failed) {
      this.out.destroy();
      return;
    }
    this.out.end();
    await once(this.out, 'close').catch(() => undefined);
  }

  /** A write failure (disk full...), reported once at the end. */
  get error(): Error | undefined {
    return this.failed;
  }

  get path(): string {
    return this.file;
  }

  private line(rec: RecordLine): void {
    if (this.failed) return;
    this.pending += 1;
    this.out.write(JSON.stringify(rec) + '\n', () => {
      this.pending -= 1;
    });
  }

  private release(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
