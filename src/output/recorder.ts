/**
 * --record <file>: every frame in and out, appended as NDJSON {t, provider, dir, frame}, secrets redacted.
 * The first line of each run is {t, provider, dir: "meta", url, evtail}, so a recording says where it came from.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { UsageError } from '../errors.js';
import type { Redactor } from '../redact.js';
import type { SessionObserver } from '../session/session.js';

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

export class Recorder implements SessionObserver {
  private readonly out: WriteStream;
  private failed: Error | undefined;

  private constructor(
    private readonly provider: string,
    private readonly redactor: Redactor,
    out: WriteStream,
  ) {
    this.out = out;
    out.on('error', (err) => (this.failed = err));
  }

  static async open(file: string, provider: string, redactor: Redactor, meta: { url?: string; version: string; options?: Record<string, unknown> }): Promise<Recorder> {
    const out = createWriteStream(file, { flags: 'a', mode: 0o600 });
    try {
      await once(out, 'open');
    } catch (err) {
      throw new UsageError(`--record: cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    const r = new Recorder(provider, redactor, out);
    const options = meta.options ? (JSON.parse(redactor.redact(JSON.stringify(meta.options))) as Record<string, unknown>) : undefined;
    r.line({ t: new Date().toISOString(), provider, dir: 'meta', url: meta.url ? redactor.redact(meta.url) : undefined, evtail: meta.version, options });
    return r;
  }

  frame(dir: 'in' | 'out', text: string, at: number, bytes?: Buffer): void {
    const t = new Date(at).toISOString();
    if (bytes) this.line({ t, provider: this.provider, dir, frame: bytes.toString('base64'), encoding: 'base64' });
    else this.line({ t, provider: this.provider, dir, frame: this.redactor.redact(text) });
  }

  private line(rec: RecordLine): void {
    if (this.failed) return;
    this.out.write(JSON.stringify(rec) + '\n');
  }

  /** Flush and close; reports a write failure (disk full...) once. */
  async close(): Promise<Error | undefined> {
    if (!this.out.closed) {
      this.out.end();
      await once(this.out, 'close').catch(() => undefined);
    }
    return this.failed;
  }
}
