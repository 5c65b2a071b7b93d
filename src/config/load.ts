/**
 * Finding and reading the config file (.tailrc*, package.json "evtail", evtail.config.*) with cosmiconfig,
 * then `${VAR}` interpolation. Knows nothing about providers: key and value checks happen in resolve.ts,
 * which knows the option specs.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, errorMessage } from '../errors.js';
import { formatCount, formatList } from '../format.js';
import type { OptionSpec } from '../providers/spec.js';
import { interpolateString } from './interpolate.js';
import { firstLine, LOADERS, MAX_CONFIG_BYTES } from './loaders.js';

export { MAX_CONFIG_BYTES };

export interface LoadedConfig {
  /** Absolute path of the file the config came from. */
  filepath: string;
  /** Top-level keys (option keys in camelCase), shared by every provider. */
  defaults: Record<string, unknown>;
  /** `profiles: { <name>: { provider?, ...option keys } }`. */
  profiles: Record<string, Record<string, unknown>>;
  /** `groups: { <name>: [profile, …] }`: profiles that run together (`evtail -p <name>`). */
  groups?: Record<string, string[]>;
  /**
   * Option-level key paths ("token", "profiles.mytweets.token") whose value names an unset variable, with the
   * error to raise. Raised only when that value is actually used, so a profile for one provider does not need
   * the environment of another.
   */
  unresolved?: Record<string, string>;
  /** Option-level key paths whose value went through `${VAR}` (so any secret there was not written in the file). */
  interpolated?: string[];
}

export interface LoadConfigOptions {
  /** `--config <file>`: load exactly this file (relative to cwd). */
  configPath?: string;
  /** Where the search starts. */
  cwd: string;
  /** Variables for `${VAR}`; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** A JavaScript config the search met and did not run (it would have been used): for a warning. */
  onSkippedCode?: (filepath: string) => void;
}

/**
 * Searched in this order in each directory, from cwd upward to the project root (the first package.json). Data only:
 * a file found by searching may come from anyone who can write to a parent directory (an untrusted checkout, a
 * shared /tmp), so it is never run as code.
 */
export const SEARCH_PLACES: readonly string[] = ['package.json', '.tailrc', '.tailrc.json', '.tailrc.yaml', '.tailrc.yml'];

/** JavaScript configs: loaded only when named by --config or EVTAIL_CONFIG; the search reports them, never runs them. */
export const CODE_PLACES: readonly string[] = ['.tailrc.js', '.tailrc.cjs', '.tailrc.mjs', 'evtail.config.js', 'evtail.config.cjs', 'evtail.config.mjs'];

/** Values in one config file, aliases expanded: a YAML alias bomb stops here (exit 2) instead of eating memory. */
export const MAX_CONFIG_VALUES = 100_000;

/** The package.json key that may hold the config. */
export const PACKAGE_PROP = 'evtail';

/** Find (or, with configPath, read) the config file. undefined when a search finds none. */
export async function loadConfig(opts: LoadConfigOptions): Promise<LoadedConfig | undefined> {
  const env = opts.env ?? process.env;
  // A JavaScript config met by the search is reported (when it would have been used), never run.
  const code = opts.configPath === undefined && opts.onSkippedCode ? findCodeConfig(opts.cwd) : undefined;
  // cosmiconfig costs ~15 ms of module loading and a package.json read per run: only when a file may be there.
  if (opts.configPath === undefined && !mayHoldConfig(opts.cwd)) {
    if (code) opts.onSkippedCode!(code);
    return undefined;
  }
  const { cosmiconfig } = await import('cosmiconfig');
  const explorer = cosmiconfig('evtail', {
    searchPlaces: [...SEARCH_PLACES],
    packageProp: PACKAGE_PROP,
    // 'project': walk up from cwd and stop at the first directory holding a package.json. Without one
    // (a bare tmp dir, ~) the walk goes on to the filesystem root, so ~/.tailrc is still found.
    searchStrategy: 'project',
    loaders: LOADERS,
    // One explorer per call: no stale results when a test (or a long-lived caller) rewrites a file.
    cache: false,
  });

  if (opts.configPath !== undefined) {
    const filepath = path.resolve(opts.cwd, opts.configPath);
    await assertReadableFile(filepath);
    const result = await run(filepath, () => explorer.load(filepath));
    if (result === null && path.basename(filepath) === 'package.json') {
      throw new UsageError(`${filepath}: no "${PACKAGE_PROP}" key`);
    }
    // An empty file (or a YAML null) is an empty config, not an error: it may be a template.
    return toLoadedConfig(filepath, result?.config, env);
  }

  const result = await run(undefined, () => explorer.search(opts.cwd));
  // Reported when it would have been used: no data config, or one further up than the JavaScript file.
  if (code && (!result || isBelow(path.dirname(code), path.dirname(result.filepath)))) opts.onSkippedCode!(code);
  if (!result) return undefined;
  return toLoadedConfig(result.filepath, result.config, env);
}

/**
 * A cheap look before the search: could cosmiconfig find anything? The same directories (cwd upward to the first
 * holding a package.json, else to the root) and the same names; a package.json counts when it has an "evtail" key
 * or does not parse (the search then reports it). A false "maybe" only costs loading cosmiconfig.
 */
export function mayHoldConfig(cwd: string): boolean {
  let dir = path.resolve(cwd);
  for (;;) {
    let isProjectRoot = false;
    for (const place of SEARCH_PLACES) {
      const file = path.join(dir, place);
      if (place !== 'package.json') {
        if (existsSync(file)) return true;
        continue;
      }
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      isProjectRoot = true;
      try {
        const pkg = JSON.parse(text) as unknown;
        if (typeof pkg === 'object' && pkg !== null && PACKAGE_PROP in pkg) return true;
      } catch {
        return true;
      }
    }
    if (isProjectRoot) return false;
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

/**
 * The nearest JavaScript config the search walks past (the same directories as the search), found by name only:
 * nothing is read or run.
 */
function findCodeConfig(cwd: string): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    for (const place of CODE_PLACES) {
      const file = path.join(dir, place);
      if (existsSync(file)) return file;
    }
    if (existsSync(path.join(dir, 'package.json'))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** dir is strictly inside ancestor. */
function isBelow(dir: string, ancestor: string): boolean {
  const rel = path.relative(ancestor, dir);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** True when group or others may read the file: worth a warning if it holds secrets. Always false on Windows. */
export function isGroupOrWorldReadable(filepath: string): boolean {
  if (process.platform === 'win32') return false; // mode bits there are synthetic
  try {
    return (statSync(filepath).mode & 0o044) !== 0;
  } catch {
    return false;
  }
}

/**
 * Key paths of secret options whose value is written in the file itself (not `${VAR}`), e.g.
 * ["profiles.mytweets.token"]. Pass every option spec (common and all providers).
 */
export function secretsWrittenInFile(config: LoadedConfig, specs: readonly OptionSpec[]): string[] {
  const secretKeys = new Set(specs.filter((s) => s.secret).map((s) => s.key));
  const interpolated = new Set(config.interpolated ?? []);
  const found: string[] = [];
  const scan = (values: Record<string, unknown>, prefix: string): void => {
    for (const [key, value] of Object.entries(values)) {
      const keyPath = prefix + key;
      if (secretKeys.has(key) && !interpolated.has(keyPath) && value !== null && value !== undefined && value !== '') {
        found.push(keyPath);
      }
    }
  };
  scan(config.defaults, '');
  for (const [name, profile] of Object.entries(config.profiles)) scan(profile, `profiles.${name}.`);
  return found;
}


/** Run a cosmiconfig call; anything it throws becomes a one-line UsageError naming the file. */
async function run<T>(filepath: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const file = (err as { filepath?: unknown }).filepath;
    const where = typeof file === 'string' ? file : filepath;
    throw new UsageError(`${where ? where + ': ' : 'config: '}${firstLine(errorMessage(err))}`);
  }
}

async function assertReadableFile(filepath: string): Promise<void> {
  try {
    const st = await stat(filepath);
    if (st.isDirectory()) throw new UsageError(`config file ${filepath} is a directory`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`config file not found: ${filepath}`);
    throw new UsageError(`config file ${filepath}: ${firstLine(errorMessage(err))}`);
  }
}

// --- shape and interpolation ---

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

/** LoadedConfig while it is built: the optional bookkeeping fields are always present. */
type BuildingConfig = Required<Omit<LoadedConfig, 'groups'>> & Pick<LoadedConfig, 'groups'> & { values: number };

function toLoadedConfig(filepath: string, config: unknown, env: NodeJS.ProcessEnv): LoadedConfig {
  const { values: _counted, ...loaded } = buildConfig(filepath, config, env);
  return loaded;
}

function buildConfig(filepath: string, config: unknown, env: NodeJS.ProcessEnv): BuildingConfig {
  const loaded: BuildingConfig = { filepath, defaults: {}, profiles: {}, unresolved: {}, interpolated: [], values: 0 };
  if (config === undefined || config === null) return loaded;
  if (!isPlainObject(config)) {
    throw new UsageError(`${filepath}: expected a mapping of options at the top level, got ${kindOf(config)}`);
  }
  const { profiles, groups, ...defaults } = config;
  for (const [key, value] of Object.entries(defaults)) {
    loaded.defaults[key] = interpolateDeep(value, key, key, loaded, env);
  }
  if (profiles === undefined || profiles === null) {
    if (groups !== undefined && groups !== null) throw new UsageError(`${filepath}: key "groups" names profiles, but the file has no "profiles"`);
    return loaded;
  }
  if (!isPlainObject(profiles)) {
    throw new UsageError(`${filepath}: key "profiles": expected a mapping of profile names to options, got ${kindOf(profiles)}`);
  }
  for (const [name, profile] of Object.entries(profiles)) {
    const profilePath = `profiles.${name}`;
    if (profile === null || profile === undefined) {
      loaded.profiles[name] = {}; // `name:` with nothing under it
      continue;
    }
    if (!isPlainObject(profile)) {
      throw new UsageError(`${filepath}: key "${profilePath}": expected a mapping of options, got ${kindOf(profile)}`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(profile)) {
      const keyPath = `${profilePath}.${key}`;
      out[key] = interpolateDeep(value, keyPath, keyPath, loaded, env);
    }
    loaded.profiles[name] = out;
  }
  if (groups !== undefined && groups !== null) loaded.groups = parseGroups(filepath, groups, loaded.profiles);
  return loaded;
}

/** `groups: { desk: [tips, tweets] }`: each a list of profile names defined in the same file. */
function parseGroups(filepath: string, groups: unknown, profiles: Record<string, unknown>): Record<string, string[]> {
  if (!isPlainObject(groups)) throw new UsageError(`${filepath}: key "groups": expected a mapping of group names to lists of profiles, got ${kindOf(groups)}`);
  const out: Record<string, string[]> = {};
  for (const [name, members] of Object.entries(groups)) {
    const where = `${filepath}: key "groups.${name}"`;
    if (Object.hasOwn(profiles, name)) throw new UsageError(`${where}: "${name}" is a profile too; give the group another name`);
    if (!Array.isArray(members) || members.length === 0 || !members.every((m) => typeof m === 'string')) {
      throw new UsageError(`${where}: expected a list of profile names, e.g. [tips, tweets]`);
    }
    const missing = members.filter((m) => !Object.hasOwn(profiles, m));
    if (missing.length) throw new UsageError(`${where}: no profile ${formatList(missing.map((m) => `"${m}"`))} in this file`);
    out[name] = members as string[];
  }
  return out;
}

/** Interpolate every string under `value`. optionPath: the option it belongs to; keyPath: where exactly. */
function interpolateDeep(value: unknown, optionPath: string, keyPath: string, loaded: BuildingConfig, env: NodeJS.ProcessEnv): unknown {
  // YAML aliases share one parsed node; walking them is where a nine-level alias bomb would expand to billions.
  if (++loaded.values > MAX_CONFIG_VALUES) {
    throw new UsageError(`${loaded.filepath}: more than ${formatCount(MAX_CONFIG_VALUES)} values once YAML aliases are expanded (the limit for a config file); at key "${keyPath}"`);
  }
  if (typeof value === 'string') {
    const r = interpolateString(value, env);
    if (!r.ok) throw new UsageError(`${loaded.filepath}: key "${keyPath}": ${r.problem}`);
    if (r.usedVariables && !loaded.interpolated.includes(optionPath)) loaded.interpolated.push(optionPath);
    if (r.missing.length > 0 && loaded.unresolved[optionPath] === undefined) {
      const name = r.missing[0]!;
      loaded.unresolved[optionPath] =
        `${loaded.filepath}: key "${keyPath}": environment variable ${name} is not set ` +
        `(set it, or write \${${name}:-fallback} for a default)`;
    }
    return r.value;
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateDeep(item, optionPath, `${keyPath}[${i}]`, loaded, env));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateDeep(v, optionPath, `${keyPath}.${k}`, loaded, env);
    return out;
  }
  return value;
}
