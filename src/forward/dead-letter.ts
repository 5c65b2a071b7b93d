/**
 * --forward-dead-letter <file>: events that could not be delivered, appended as NDJSON (mode 600, never through a
 * symlink). Each line is {"deadLetter":{target,reason,attempts,at},"event":<the envelope, byte for byte>}, so
 * `evtail replay <file> --forward-to …` sends exactly the body that failed.
 */
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { once } from 'node:events';
import { UsageError } from '../errors.js';

export interface DeadLetterInfo {
  target: string;
  reason: string;
  attempts: number;
  at: string;
}

/** The key that precedes the envelope: JSON strings escape '"', so this text cannot occur inside the values before it. */
export const EVENT_KEY = ',"event":';

export function deadLetterLine(info: DeadLetterInfo, envelopeLine: string): string {
  return `{"deadLetter":${JSON.stringify(info)}${EVENT_KEY}${envelopeLine}}`;
}

/** The envelope text of a dead-letter line, exactly as it was sent; undefined if the line is not one. */
export function envelopeOfDeadLetter(line: string): string | undefined {
  if (!line.startsWith('{"deadLetter":')) return undefined;
  const at = line.indexOf(EVENT_KEY);
  if (at < 0 || !line.endsWith('}')) return undefined;
  return line.slice(at + EVENT_KEY.length, -1);
}

export class DeadLetterFile {
  private failed: Error | undefined;
  count = 0;

  private constructor(
    readonly path: string,
    private readonly out: WriteStream,
  ) {
    out.on('error', (err) => (this.failed ??= err));
  }

  /** `path` as the user gave it (what messages name), opened from `cwd` if relative. */
  static async open(path: string, cwd = process.cwd()): Promise<DeadLetterFile> {
    let handle;
    try {
      handle = await open(resolve(cwd, path), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
      // An existing file keeps its mode otherwise: these are the user's events.
      await handle.chmod(0o600);
    } catch (err) {
      await handle?.close().catch(() => undefined);
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ELOOP' ? 'it is a symbolic link' : code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code ?? (err as Error).message;
      throw new UsageError(`--forward-dead-letter: cannot write ${path} (${why})`);
    }
    const out = createWriteStream(path, { fd: handle, autoClose: true });
    return new DeadLetterFile(path, out);
  }

  write(info: DeadLetterInfo, envelopeLine: string): void {
    if (this.failed) return;
    this.count += 1;
    this.out.write(deadLetterLine(info, envelopeLine) + '\n');
  }

  /** Flush and close; the first write error, if any. */
  async close(): Promise<Error | undefined> {
    if (!this.out.closed && !this.out.destroyed) {
      this.out.end();
      await once(this.out, 'close').catch(() => undefined);
    }
    return this.failed;
  }
}
