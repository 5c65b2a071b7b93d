/**
 * Options from every source, with precedence: flag > EVTAIL_* variable > profile > file top level > built-in
 * default. Also checks the config file's keys against the option specs (unknown keys, keys of the wrong
 * provider, command-line-only keys) so a typo fails loudly instead of being ignored.
 */
import { formatList } from '../format.js';
import { UsageError } from '../errors.js';
import { envNameFor, type CommonOptions, type OptionSpec, type ProviderSpec } from '../providers/spec.js';
import type { LoadedConfig } from './load.js';
import { flagName, parseValueOrThrow, type ValueOrigin } from './parse-values.js';

export interface ResolveInput {
  /** undefined for generic commands (ws, replay…): then only the common options apply. */
  provider?: ProviderSpec;
  /** commonOptions, plus any extras the caller adds. */
  common: OptionSpec[];
  /**
   * Only what the user typed, keyed by OptionSpec.key: strings as typed, booleans, string[] for variadic
   * options. A number is taken as an already-typed value (milliseconds for a duration, bytes for a size).
   */
  cli: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  config?: LoadedConfig;
  profileName?: string;
  /** Every provider, to recognise keys that belong to another provider. */
  allProviderSpecs: ProviderSpec[];
}

export interface ResolvedOptions {
  /** Typed common options, built-in defaults applied. */
  common: CommonOptions;
  /** Typed options of the provider, built-in defaults applied. */
  options: Record<string, unknown>;
  /** Values of every set secret option, for redaction. */
  secrets: string[];
  /** key → 'flag' | 'env EVTAIL_X' | 'profile <name> in <file>' | 'config <file>' | 'default' (for --verbose). */
  sources: Record<string, string>;
}

export function resolveOptions(input: ResolveInput): ResolvedOptions {
  const { config, profileName } = input;
  if (config) checkConfigKeys(input, config);
  const profile = profileName === undefined ? undefined : selectProfile(input, profileName);

  const sources: Record<string, string> = {};
  const secrets = new Set<string>();

  const resolveSpecs = (specs: readonly OptionSpec[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const spec of specs) {
      const found = resolveOne(spec, input, profile);
      if (!found) continue;
      out[spec.key] = found.value;
      sources[spec.key] = found.source;
      if (spec.secret) for (const s of secretStrings(found.value)) secrets.add(s);
    }
    return out;
  };

  // `common` is meant to include commonOptions, whose defaults fill the required CommonOptions fields.
  const common = resolveSpecs(input.common) as CommonOptions;
  const options = resolveSpecs(input.provider?.options ?? []);
  return { common, options, secrets: [...secrets], sources };
}

/**
 * `--config` and `--profile` come before the config file is read, so they are picked from the flag or
 * EVTAIL_CONFIG / EVTAIL_PROFILE here (never from the file itself).
 */
export function configLocation(
  cli: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  common: readonly OptionSpec[],
): { configPath?: string; profileName?: string } {
  const pick = (key: string): string | undefined => {
    const spec = common.find((s) => s.key === key);
    if (!spec) return undefined;
    const fromCli = cli[key];
    if (fromCli !== undefined) return parseValueOrThrow(spec, fromCli, 'cli', flagName(spec)) as string;
    const envName = envNameFor(spec);
    const fromEnv = envName ? env[envName] : undefined;
    if (envName && fromEnv !== undefined && fromEnv !== '') return parseValueOrThrow(spec, fromEnv, 'env', envName) as string;
    return undefined;
  };
  const out: { configPath?: string; profileName?: string } = {};
  const configPath = pick('config');
  const profileName = pick('profile');
  if (configPath !== undefined) out.configPath = configPath;
  if (profileName !== undefined) out.profileName = profileName;
  return out;
}

/**
 * Options the provider needs (ProviderSpec.required) that are still missing. Call after the caller's own
 * steps (--token-file, --token -), which is why resolveOptions does not check this itself.
 */
export function checkRequired(provider: ProviderSpec, options: Record<string, unknown>): void {
  for (const req of provider.required ?? []) {
    const value = options[req.key];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
      const spec = provider.options.find((s) => s.key === req.key);
      const names = spec ? [flagName(spec), envNameFor(spec)].filter(Boolean).join(' or ') : req.key;
      throw new UsageError(`${provider.name}: missing ${names}`, req.hint);
    }
  }
}

// --- one option ---

interface Found {
  value: unknown;
  source: string;
}

function resolveOne(spec: OptionSpec, input: ResolveInput, profile: Record<string, unknown> | undefined): Found | undefined {
  const parse = (raw: unknown, origin: ValueOrigin, where: string, source: string): Found => ({
    value: parseValueOrThrow(spec, raw, origin, where),
    source,
  });

  const fromCli = input.cli[spec.key];
  if (fromCli !== undefined) return parse(fromCli, 'cli', flagName(spec), 'flag');

  const envName = envNameFor(spec);
  const fromEnv = envName ? input.env[envName] : undefined;
  // An empty variable counts as unset: `EVTAIL_FORMAT= evtail …` should not be an error.
  if (envName && fromEnv !== undefined && fromEnv !== '') return parse(fromEnv, 'env', envName, `env ${envName}`);

  const { config, profileName } = input;
  if (config && !spec.cliOnly) {
    if (profile && profileName !== undefined) {
      const found = fromFile(profile, spec, config, `profiles.${profileName}.${spec.key}`);
      if (found) return parse(found.raw, 'file', `${config.filepath}: key "${found.keyPath}"`, `profile ${profileName} in ${config.filepath}`);
    }
    const found = fromFile(config.defaults, spec, config, spec.key);
    if (found) return parse(found.raw, 'file', `${config.filepath}: key "${found.keyPath}"`, `config ${config.filepath}`);
  }

  // A provider may advise its own default for a common option (Doshii: retries within a window).
  const advised = input.provider?.commonDefaults?.[spec.key];
  if (advised !== undefined) return { value: advised, source: `default for ${input.provider!.name}` };
  if (spec.default !== undefined) return { value: spec.default, source: 'default' };
  return undefined;
}

/** A file value, if set (YAML `key:` with nothing, i.e. null, counts as unset). */
function fromFile(
  values: Record<string, unknown>,
  spec: OptionSpec,
  config: LoadedConfig,
  keyPath: string,
): { raw: unknown; keyPath: string } | undefined {
  if (!Object.hasOwn(values, spec.key)) return undefined;
  const raw = values[spec.key];
  if (raw === null || raw === undefined) return undefined;
  const unresolved = config.unresolved?.[keyPath];
  if (unresolved !== undefined) throw new UsageError(unresolved);
  return { raw, keyPath };
}

function secretStrings(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  if (typeof value === 'number' && Number.isFinite(value)) return [String(value)];
  return [];
}

// --- profiles and key checks ---

function selectProfile(input: ResolveInput, name: string): Record<string, unknown> {
  const { config } = input;
  if (!config) {
    throw new UsageError(`profile "${name}" was asked for, but no config file was found (.tailrc, .tailrc.yaml, package.json "evtail", …)`);
  }
  const profile = config.profiles[name];
  if (!Object.hasOwn(config.profiles, name) || profile === undefined) {
    const names = Object.keys(config.profiles);
    const known = names.length > 0 ? `profiles there: ${formatList(names)}` : 'it defines no profiles';
    const near = closest(name, names);
    throw new UsageError(`${config.filepath}: no profile "${name}"${near ? ` (did you mean "${near}"?)` : ''}; ${known}`);
  }
  const bound = profile['provider'];
  if (bound !== undefined && bound !== null) {
    const unresolved = config.unresolved?.[`profiles.${name}.provider`];
    if (unresolved !== undefined) throw new UsageError(unresolved);
    if (input.provider && bound !== input.provider.name) {
      throw new UsageError(`${config.filepath}: profile "${name}" is for provider ${String(bound)}, not ${input.provider.name}`);
    }
  }
  return profile;
}

function checkConfigKeys(input: ResolveInput, config: LoadedConfig): void {
  const file = config.filepath;
  const providers = [...input.allProviderSpecs];
  if (input.provider && !providers.some((p) => p.name === input.provider!.name)) providers.push(input.provider);

  const commonKeys = input.common.filter((s) => !s.cliOnly).map((s) => s.key);
  const cliOnlySpecs = new Map([...input.common, ...providers.flatMap((p) => p.options)].filter((s) => s.cliOnly).map((s) => [s.key, s]));
  const providerKeys = (p: ProviderSpec): string[] => p.options.filter((s) => !s.cliOnly).map((s) => s.key);
  const allProviderKeys = unique(providers.flatMap(providerKeys));
  const commonSet = new Set(commonKeys);
  const ownersOf = (key: string): string[] => providers.filter((p) => providerKeys(p).includes(key)).map((p) => p.name);

  const unknownKey = (keyPath: string, key: string, expected: string[]): UsageError => {
    const near = closest(key, expected);
    const hint = near ? `did you mean "${near}"? ` : '';
    return new UsageError(`${file}: unknown key "${keyPath}" (${hint}expected one of: ${expected.join(', ')})`);
  };
  const cliOnly = (keyPath: string, spec: OptionSpec): UsageError => {
    const ways = [flagName(spec), envNameFor(spec)].filter(Boolean).join(' or ');
    return new UsageError(`${file}: key "${keyPath}" is not allowed in a config file (use ${ways})`);
  };

  for (const key of Object.keys(config.defaults)) {
    if (key === 'provider') throw new UsageError(`${file}: key "provider" is allowed only inside a profile (profiles.<name>.provider)`);
    const cliSpec = cliOnlySpecs.get(key);
    if (cliSpec) throw cliOnly(key, cliSpec);
    if (commonSet.has(key) || allProviderKeys.includes(key)) continue;
    throw unknownKey(key, key, unique([...commonKeys, 'profiles', ...allProviderKeys, 'groups']));
  }

  const providerNames = providers.map((p) => p.name);
  for (const [name, profile] of Object.entries(config.profiles)) {
    const base = `profiles.${name}`;
    const bound = profile['provider'];
    let boundSpec: ProviderSpec | undefined;
    // A provider given as an unset ${VAR} is checked when the profile is used (selectProfile).
    if (bound !== undefined && bound !== null && config.unresolved?.[`${base}.provider`] === undefined) {
      boundSpec = providers.find((p) => p.name === bound);
      if (!boundSpec) {
        const near = typeof bound === 'string' ? closest(bound, providerNames) : undefined;
        const shown = typeof bound === 'string' ? JSON.stringify(bound) : String(bound);
        throw new UsageError(
          `${file}: key "${base}.provider": expected one of ${providerNames.join(', ')}, got ${shown}${near ? ` (did you mean "${near}"?)` : ''}`,
        );
      }
    }
    const ownKeys = boundSpec ? providerKeys(boundSpec) : allProviderKeys;
    for (const key of Object.keys(profile)) {
      const keyPath = `${base}.${key}`;
      if (key === 'provider') continue;
      const cliSpec = cliOnlySpecs.get(key);
      if (cliSpec) throw cliOnly(keyPath, cliSpec);
      if (commonSet.has(key) || ownKeys.includes(key)) continue;
      const owners = ownersOf(key);
      if (boundSpec && owners.length > 0) {
        throw new UsageError(
          `${file}: key "${keyPath}" is an option of ${owners.join(', ')}, not of provider ${boundSpec.name} ` +
            `(profile "${name}" has provider: ${boundSpec.name})`,
        );
      }
      throw unknownKey(keyPath, key, unique(['provider', ...commonKeys, ...ownKeys]));
    }
  }
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

/** The candidate nearest to `word` (ignoring case, '-' and '_'), if it is near enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');
  const w = norm(word);
  const limit = Math.max(1, Math.min(3, Math.floor(w.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, norm(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment): "fkae" → "fake" is 1. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
