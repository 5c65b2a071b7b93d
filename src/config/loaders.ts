/**
 * The config file loaders: our own error text (one line, file named, no code frame that could echo a secret), and
 * a size bound checked before any parsing.
 */
import { realpath } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { Loader } from 'cosmiconfig';
import { UsageError, errorMessage } from '../errors.js';
import { formatCount, formatSize } from '../format.js';

/** Larger config files are refused before parsing (exit 2). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? text;
}

/** A config file is a few KB: anything past the bound is refused before it is parsed. */
function checkSize(filepath: string, content: string): void {
  const bytes = Buffer.byteLength(content);
  if (bytes > MAX_CONFIG_BYTES) {
    throw new UsageError(`${filepath}: the file is ${formatCount(bytes)} bytes, over the ${formatSize(MAX_CONFIG_BYTES, { space: ' ' })} limit for a config file`);
  }
}

const yamlLoader: Loader = async (filepath, content) => {
  checkSize(filepath, content);
  try {
    const { defaultLoaders } = await import('cosmiconfig');
    return await defaultLoaders['.yaml']!(filepath, content);
  } catch (err) {
    // js-yaml's YAMLException: `reason` is the bare problem, `mark` its 0-based position.
    const e = err as { reason?: unknown; mark?: { line?: number; column?: number } };
    const where = typeof e.mark?.line === 'number' ? ` at line ${e.mark.line + 1}, column ${(e.mark.column ?? 0) + 1}` : '';
    const reason = typeof e.reason === 'string' ? e.reason : firstLine(errorMessage(err).replace(/^YAML Error in [^\n]*\n?/, ''));
    throw new UsageError(`${filepath}: invalid YAML${where}: ${reason}`);
  }
};

const jsonLoader: Loader = (filepath, content) => {
  checkSize(filepath, content);
  try {
    return JSON.parse(content.replace(/^\uFEFF/, '')) as unknown;
  } catch (err) {
    throw new UsageError(`${filepath}: invalid JSON${describeJsonError(errorMessage(err), content)}`);
  }
};

/** V8's JSON.parse message without the quoted input (it could hold a secret), with a line and column when known. */
function describeJsonError(message: string, content: string): string {
  let text = message.replace(/, ".*" is not valid JSON$/s, '');
  let where = '';
  const pos = / in JSON at position (\d+)(?: \(line \d+ column \d+\))?/.exec(text);
  if (pos) {
    text = text.replace(pos[0], '');
    const before = content.replace(/^\uFEFF/, '').slice(0, Number(pos[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    where = ` at line ${line}, column ${column}`;
  }
  text = text.replace(/ of JSON input$/, ' of input');
  return `${where}: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}

const jsLoader: Loader = async (filepath) => {
  try {
    // Our own import(): cosmiconfig's loader retries a failed import with require(), which turns a syntax
    // error in an .mjs file into a misleading "Unexpected token 'export'".
    const mod = (await import(pathToFileURL(await realpath(filepath)).href)) as { default?: unknown };
    return mod.default;
  } catch (err) {
    throw new UsageError(`${filepath}: cannot load: ${firstLine(errorMessage(err))}`);
  }
};

const tsLoader: Loader = (filepath) => {
  throw new UsageError(`${filepath}: TypeScript config files are not supported; use .js, .cjs, .mjs, .json or .yaml`);
};

export const LOADERS: Record<string, Loader> = {
  '.json': jsonLoader,
  '.yaml': yamlLoader,
  '.yml': yamlLoader,
  '.js': jsLoader,
  '.cjs': jsLoader,
  '.mjs': jsLoader,
  '.ts': tsLoader,
  // `.tailrc` and a --config file with another extension: YAML, which also reads JSON.
  noExt: yamlLoader,
  default: yamlLoader,
};
