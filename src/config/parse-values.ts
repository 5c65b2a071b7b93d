/**
 * Typed values from text: one parser per OptionSpec.kind, shared by the config layer and the CLI.
 * Every source (flag, EVTAIL_* variable, config file) goes through the same rules, so `30s` means
 * the same thing wherever it is written; files may also hold native YAML/JSON numbers, booleans and lists.
 */
import { UsageError } from '../errors.js';
import { formatDuration, formatSize } from '../format.js';
import type { OptionSpec } from '../providers/spec.js';

/** Where a raw value came from: it decides how a few ambiguous inputs are read (see parseOptionValue). */
export type ValueOrigin = 'cli' | 'env' | 'file';

export type ParseResult = { ok: true; value: unknown } | { ok: false; expected: string; note?: string };

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)\s*/y;
const DECIMAL = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

/**
 * `500ms`, `30s`, `1.5s`, `5m`, `1h`, `1m30s` (what formatDuration writes) → milliseconds, rounded.
 * A bare number means seconds. Case-insensitive. undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim().toLowerCase();
  if (s === '') return undefined;
  if (DECIMAL.test(s)) return Math.round(Number(s) * 1000);
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * (DURATION_UNITS[m[2]!] ?? Number.NaN);
    pos = DURATION_PART.lastIndex;
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/**
 * `1024`, `512KiB`, `16MiB`, `1GiB` → bytes. KB/MB/GB mean the binary units too (nobody sizing a
 * WebSocket frame means 1000). Case-insensitive. undefined when the text is not a size.
 */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

/** 1/0, true/false, yes/no, on/off (any case) → boolean; undefined otherwise. */
export function parseBoolean(text: string): boolean | undefined {
  const s = text.trim().toLowerCase();
  if (TRUE_WORDS.has(s)) return true;
  if (FALSE_WORDS.has(s)) return false;
  return undefined;
}

/** A whole number >= 0, or inf/infinity/unlimited → Infinity. */
export function parseRetries(text: string): number | undefined {
  const s = text.trim().toLowerCase();
  if (s === 'inf' || s === 'infinity' || s === 'unlimited') return Infinity;
  if (!/^\+?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A whole number written in decimal ("12", "-3"); undefined for "1e3", "12abc", "1.5". */
export function parseWholeNumber(text: string): number | undefined {
  const s = text.trim();
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A finite decimal number; undefined for "", "abc", "Infinity", "0x10". */
export function parseDecimal(text: string): number | undefined {
  const s = text.trim();
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** Comma-separated list: items trimmed, empty items dropped ("a, b,,c" → [a, b, c]). */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** What a value of this kind looks like, for "expected …" messages. */
export function expectedText(spec: OptionSpec, origin: ValueOrigin = 'file'): string {
  const atLeast = spec.min !== undefined ? ` >= ${spec.min}` : '';
  switch (spec.kind) {
    case 'string':
      return 'a non-empty string';
    case 'int':
      return `a whole number${atLeast}`;
    case 'number':
      return `a number${atLeast}`;
    case 'duration':
      return 'a duration like 500ms, 30s, 5m';
    case 'size':
      return 'a size like 1024, 512KiB, 16MiB, 1GiB';
    case 'boolean':
      return origin === 'file' ? 'true or false' : 'one of true, false, 1, 0, yes, no, on, off';
    case 'list':
      return origin === 'env' ? 'a comma-separated list' : 'a list of strings';
    case 'enum':
      return `one of ${(spec.choices ?? []).join(', ')}`;
    case 'retries':
      return 'a whole number >= 0, or inf';
  }
}

/**
 * Raw value → typed value for one option. Strings are parsed the same from every origin (a file value may be
 * a string after ${VAR} interpolation). Native numbers: in a file a bare number is what the text would mean
 * (seconds for a duration, bytes for a size); from the CLI a number is taken as already typed (milliseconds,
 * bytes), for callers that parse with their own argParser.
 */
export function parseOptionValue(spec: OptionSpec, raw: unknown, origin: ValueOrigin): ParseResult {
  const fail = (expected = expectedText(spec, origin), note?: string): ParseResult => ({ ok: false, expected, note });
  const ok = (value: unknown): ParseResult => ({ ok: true, value });
  switch (spec.kind) {
    case 'string': {
      if (typeof raw === 'number' && Number.isFinite(raw)) return ok(String(raw));
      if (typeof raw === 'string' && raw.trim() !== '') return ok(raw);
      return fail();
    }
    case 'int':
    case 'number': {
      const n =
        typeof raw === 'number' ? raw : typeof raw === 'string' ? (spec.kind === 'int' ? parseWholeNumber(raw) : parseDecimal(raw)) : undefined;
      if (n === undefined || !Number.isFinite(n) || (spec.kind === 'int' && !Number.isSafeInteger(n))) return fail();
      if (spec.min !== undefined && n < spec.min) return fail();
      return ok(n);
    }
    case 'duration': {
      const note = 'a bare number means seconds';
      let ms: number | undefined;
      if (typeof raw === 'number') ms = raw >= 0 && Number.isFinite(raw) ? Math.round(origin === 'cli' ? raw : raw * 1000) : undefined;
      else if (typeof raw === 'string') ms = parseDuration(raw);
      if (ms === undefined) return fail(undefined, note);
      if (spec.min !== undefined && ms < spec.min) return fail(`a duration of at least ${formatDuration(spec.min)}`);
      return ok(ms);
    }
    case 'size': {
      let bytes: number | undefined;
      if (typeof raw === 'number') bytes = Number.isSafeInteger(raw) && raw >= 0 ? raw : undefined;
      else if (typeof raw === 'string') bytes = parseSize(raw);
      if (bytes === undefined) return fail();
      if (spec.min !== undefined && bytes < spec.min) return fail(`a size of at least ${formatSize(spec.min)}`);
      return ok(bytes);
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return ok(raw);
      if (raw === 1 || raw === 0) return ok(raw === 1);
      const b = typeof raw === 'string' ? parseBoolean(raw) : undefined;
      return b === undefined ? fail() : ok(b);
    }
    case 'list': {
      if (typeof raw === 'string') return ok(splitList(raw));
      if (!Array.isArray(raw)) return fail();
      const items: string[] = [];
      for (const item of raw) {
        if (typeof item === 'number' && Number.isFinite(item)) items.push(String(item));
        else if (typeof item === 'string' && item.trim() !== '') items.push(item);
        else return fail();
      }
      return ok(items);
    }
    case 'enum': {
      const choices = spec.choices ?? [];
      const value = typeof raw === 'string' ? (spec.aliases?.[raw] ?? raw) : raw;
      return typeof value === 'string' && choices.includes(value) ? ok(value) : fail();
    }
    case 'retries': {
      let n: number | undefined;
      if (typeof raw === 'number') n = raw === Infinity || (Number.isSafeInteger(raw) && raw >= 0) ? raw : undefined;
      else if (typeof raw === 'string') n = parseRetries(raw);
      if (n === undefined || (spec.min !== undefined && n < spec.min)) return fail();
      return ok(n);
    }
  }
}

/** How to show a bad value in an error: quoted text (secrets masked), or what kind of thing it is. */
export function describeValue(raw: unknown, secret = false): string {
  if (typeof raw === 'string') {
    if (secret && raw !== '') return '"***"';
    return JSON.stringify(raw.length > 60 ? raw.slice(0, 57) + '...' : raw);
  }
  if (raw === null) return 'null';
  if (raw === undefined) return 'nothing';
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object') return 'an object';
  if (typeof raw === 'function') return 'a function';
  return secret ? '***' : String(raw);
}

/** The long flag of an option ("-n, --max-events <n>" → "--max-events"), to name it in errors. */
export function flagName(spec: OptionSpec): string {
  const m = /--[a-z0-9][a-z0-9-]*/i.exec(spec.flags);
  return m ? m[0].replace(/^--no-/, '--') : `--${spec.key}`;
}

/**
 * parseOptionValue that throws: `<where>: expected <what>, got <value>` as a UsageError (exit 2).
 * `where` names the source: "--max-events", "EVTAIL_TIMEOUT", `<file>: key "profiles.a.format"`.
 */
export function parseValueOrThrow(spec: OptionSpec, raw: unknown, origin: ValueOrigin, where: string): unknown {
  const r = parseOptionValue(spec, raw, origin);
  if (r.ok) return r.value;
  const note = r.note ? ` (${r.note})` : '';
  throw new UsageError(`${where}: expected ${r.expected}, got ${describeValue(raw, spec.secret)}${note}`);
}

/** The long flag of an option key: clientId → --client-id. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;
}
