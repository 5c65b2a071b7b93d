/**
 * Secrets from places that keep them out of `ps` and shell history: --token-file <path>, --token - (stdin).
 * A secret option `x` may have an `xFile` companion option; the file's content (trimmed) becomes `x`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { flagOf } from './parse-values.js';
import type { OptionSpec } from '../providers/spec.js';

async function readStdin(stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<string> {
  if (stdin.isTTY) throw new UsageError("'-' reads the secret from stdin, but stdin is a terminal", 'pipe it in: evtail … --token - < token.txt');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export async function resolveSecretSources(
  specs: readonly OptionSpec[],
  options: Record<string, unknown>,
  stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
  /** Where a relative `xFile` path starts. */
  cwd: string = process.cwd(),
): Promise<string[]> {
  const found: string[] = [];
  let stdinUsed = false;
  for (const spec of specs) {
    if (!spec.secret) continue;
    const fileKey = `${spec.key}File`;
    const flag = flagOf(spec.key);
    const path = options[fileKey];
    if (typeof path === 'string' && path && options[spec.key] === undefined) {
      let text: string;
      try {
        text = await readFile(resolve(cwd, path), 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new UsageError(`${flag}-file: cannot read ${path}${code === 'ENOENT' ? ': no such file' : code === 'EACCES' ? ': permission denied' : ''}`);
      }
      const value = text.trim();
      if (!value) throw new UsageError(`${flag}-file: ${path} is empty`);
      options[spec.key] = value;
    }
    if (options[spec.key] === '-') {
      if (stdinUsed) throw new UsageError(`only one secret can be read from stdin ('-')`);
      stdinUsed = true;
      const value = (await readStdin(stdin)).trim();
      if (!value) throw new UsageError(`${flag} -: nothing arrived on stdin`);
      options[spec.key] = value;
    }
    if (typeof options[spec.key] === 'string' && options[spec.key]) found.push(options[spec.key] as string);
  }
  return found;
}
