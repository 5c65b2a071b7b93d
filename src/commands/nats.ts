/** `evtail nats init <nats-url>`: the stream --publish writes into, with its duplicate window. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { parseDuration, parseSize, parseWholeNumber } from '../config/parse-values.js';
import type { Io } from '../io.js';

export interface NatsInitFlags {
  stream?: string;
  subjects?: string[];
  duplicateWindow?: string;
  maxAge?: string;
  maxBytes?: string;
  memory?: boolean;
  replicas?: string;
  token?: string;
  tokenFile?: string;
  creds?: string;
}

const DEFAULT_WINDOW_MS = 2 * 60_000;

export async function runNatsInit(url: string, f: NatsInitFlags, io: Io): Promise<number> {
  const duration = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) throw new UsageError(`${flag}: expected a duration like 2m, 1h, 7d, got "${text}"`);
    return ms;
  };
  const stream = f.stream ?? 'EVTAIL';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream)) throw new UsageError(`--stream: "${stream}" is not a stream name (letters, digits, _ and -)`);
  const replicas = f.replicas === undefined ? 1 : parseWholeNumber(f.replicas);
  if (replicas === undefined || replicas < 1 || replicas > 5) throw new UsageError(`--replicas: expected 1 to 5, got "${f.replicas}"`);
  const maxBytes = f.maxBytes === undefined ? undefined : parseSize(f.maxBytes);
  if (f.maxBytes !== undefined && maxBytes === undefined) throw new UsageError(`--max-bytes: expected a size like 10GiB, got "${f.maxBytes}"`);
  const read = async (flag: string, path: string): Promise<string> => {
    try {
      return await readFile(resolve(io.cwd, path), 'utf8');
    } catch (err) {
      throw new UsageError(`${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const token = f.token ?? (f.tokenFile ? (await read('--token-file', f.tokenFile)).trim() : undefined);
  const creds = f.creds ? new TextEncoder().encode(await read('--creds', f.creds)) : undefined;
  const { natsInit } = await import('../publish/nats-init.js');
  return natsInit(
    {
      url,
      stream,
      subjects: f.subjects,
      duplicateWindowMs: duration('--duplicate-window', f.duplicateWindow) ?? DEFAULT_WINDOW_MS,
      maxAgeMs: duration('--max-age', f.maxAge),
      maxBytes,
      memory: f.memory === true,
      replicas,
      token,
      creds,
    },
    (line) => io.stdout.write(line + '\n'),
  );
}
