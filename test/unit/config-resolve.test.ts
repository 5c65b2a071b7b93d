import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { UsageError } from '../../src/errors.js';
import type { OptionSpec, ProviderSpec } from '../../src/providers/spec.js';
import { commonOptions } from '../../src/config/common-options.js';
import { loadConfig, type LoadedConfig } from '../../src/config/load.js';
import { checkRequired, closest, configLocation, resolveOptions, type ResolveInput } from '../../src/config/resolve.js';

const FIXTURES = path.resolve('fixtures/config');

const opt = (key: string, flags: string, kind: OptionSpec['kind'], extra: Partial<OptionSpec> = {}): OptionSpec => ({
  key,
  flags,
  kind,
  description: '',
  ...extra,
});

const notLoaded = async (): Promise<never> => {
  throw new Error('not loaded');
};

/** One option of every kind. */
const fake: ProviderSpec = {
  name: 'fake',
  summary: 'a fake provider for tests',
  options: [
    opt('token', '--token <token>', 'string', { secret: true }),
    opt('room', '--room <room>', 'string', { default: 'lobby' }),
    opt('topic', '--topic <topic...>', 'list'),
    opt('interval', '--interval <duration>', 'duration', { default: 30_000, min: 100 }),
    opt('buffer', '--buffer <size>', 'size'),
    opt('ack', '--ack', 'boolean', { default: false }),
    opt('level', '--level <level>', 'enum', { choices: ['low', 'high'] }),
    opt('count', '--count <n>', 'int', { min: 1, default: 5 }),
    opt('ratio', '--ratio <x>', 'number'),
    opt('attempts', '--attempts <n>', 'retries'),
    opt('apiKey', '--api-key <key>', 'string', { secret: true, env: 'FAKE_API_KEY' }),
    opt('noEnv', '--no-env-thing <x>', 'string', { env: false }),
  ],
  mockOptions: [],
  examples: [],
  required: [{ key: 'token', hint: 'get a token at https://fake.test/tokens' }],
  load: notLoaded,
};

const other: ProviderSpec = {
  name: 'other',
  summary: 'another fake provider',
  options: [opt('clientId', '--client-id <id>', 'string')],
  mockOptions: [],
  examples: [],
  load: notLoaded,
};

const FILE = '/home/u/.tailrc';

function cfg(defaults: Record<string, unknown>, profiles: Record<string, Record<string, unknown>> = {}): LoadedConfig {
  return { filepath: FILE, defaults, profiles, unresolved: {}, interpolated: [] };
}

function input(over: Partial<ResolveInput> = {}): ResolveInput {
  return { provider: fake, common: commonOptions, cli: {}, env: {}, allProviderSpecs: [fake, other], ...over };
}

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).not.toContain('\n');
    return err as UsageError;
  }
  throw new Error('expected a UsageError, got success');
}

describe('resolveOptions: defaults', () => {
  it('applies built-in defaults when nothing is set', () => {
    const r = resolveOptions(input());
    // Every common option with a built-in default has it; the rest are unset.
    const withDefaults = Object.fromEntries(commonOptions.filter((o) => o.default !== undefined).map((o) => [o.key, o.default]));
    expect(r.common).toEqual(withDefaults);
    expect(r.common).toMatchObject({ reconnect: true, maxRetries: 10, quiet: false, verbose: false, maxFrameSize: 16 * 1024 * 1024 });
    expect(r.options).toEqual({ room: 'lobby', interval: 30_000, ack: false, count: 5 });
    expect(r.sources).toMatchObject({ reconnect: 'default', room: 'default', count: 'default' });
    expect(r.sources['format']).toBeUndefined();
    expect(r.secrets).toEqual([]);
  });

  it("applies a provider's advised defaults for common options, below every user setting", () => {
    const advising = { ...fake, commonDefaults: { retryWindow: 300_000, maxRetries: 7 } };
    const r = resolveOptions(input({ provider: advising, allProviderSpecs: [advising, other] }));
    expect(r.common).toMatchObject({ retryWindow: 300_000, maxRetries: 7 });
    expect(r.sources.retryWindow).toBe('default for fake');
    const file = resolveOptions(input({ provider: advising, allProviderSpecs: [advising, other], config: cfg({ maxRetries: 2 }) }));
    expect(file.common.maxRetries).toBe(2);
  });

  it('resolves only the common options for a generic command', () => {
    const r = resolveOptions(input({ provider: undefined, cli: { url: 'ws://127.0.0.1:1' }, config: cfg({ token: 'x' }) }));
    expect(r.common.url).toBe('ws://127.0.0.1:1');
    expect(r.options).toEqual({});
    expect(r.secrets).toEqual([]);
  });
});

describe('resolveOptions: precedence', () => {
  // Each layer sets count; adding a higher layer must win over every lower one.
  const layers: [string, Partial<ResolveInput>, number, string][] = [
    ['built-in default', {}, 5, 'default'],
    ['file top level', { config: cfg({ count: 6 }, { p: {} }), profileName: 'p' }, 6, `config ${FILE}`],
    ['profile', { config: cfg({ count: 6 }, { p: { count: 7 } }), profileName: 'p' }, 7, `profile p in ${FILE}`],
    ['environment', { config: cfg({ count: 6 }, { p: { count: 7 } }), profileName: 'p', env: { EVTAIL_COUNT: '8' } }, 8, 'env EVTAIL_COUNT'],
    [
      'flag',
      { config: cfg({ count: 6 }, { p: { count: 7 } }), profileName: 'p', env: { EVTAIL_COUNT: '8' }, cli: { count: '9' } },
      9,
      'flag',
    ],
  ];
  it.each(layers)('%s', (_name, over, value, source) => {
    const r = resolveOptions(input(over));
    expect(r.options['count']).toBe(value);
    expect(r.sources['count']).toBe(source);
  });

  it('uses file defaults without a profile, and ignores profiles not asked for', () => {
    const r = resolveOptions(input({ config: cfg({ count: 6 }, { p: { count: 7 } }) }));
    expect(r.options['count']).toBe(6);
  });

  it('resolves a real file: profile over top level, typed values, secrets and sources', async () => {
    const config = await loadConfig({ configPath: path.join(FIXTURES, 'full.yaml'), cwd: '/', env: {} });
    const file = path.join(FIXTURES, 'full.yaml');
    const r = resolveOptions(input({ config, profileName: 'mytweets', env: { EVTAIL_MAX_RETRIES: 'inf' } }));
    expect(r.common).toMatchObject({ format: 'ndjson', maxRetries: Infinity, timeout: 120_000, reconnect: true });
    expect(r.options).toEqual({ token: 'profile-token', room: 'lobby', topic: ['alpha', 'beta'], interval: 45_000, ack: false, count: 5 });
    expect(r.secrets).toEqual(['profile-token']);
    expect(r.sources).toMatchObject({
      format: `config ${file}`,
      maxRetries: 'env EVTAIL_MAX_RETRIES',
      token: `profile mytweets in ${file}`,
      room: 'default',
    });
  });

  it('takes booleans from flags (--no-x passes false) and from the environment', () => {
    const r = resolveOptions(input({ cli: { reconnect: false, color: false }, env: { EVTAIL_VERBOSE: 'yes', EVTAIL_ACK: 'on' } }));
    expect(r.common).toMatchObject({ reconnect: false, color: false, verbose: true });
    expect(r.options['ack']).toBe(true);
  });

  it('treats an empty environment variable as unset', () => {
    const r = resolveOptions(input({ env: { EVTAIL_FORMAT: '', EVTAIL_COUNT: '' }, config: cfg({ format: 'raw' }) }));
    expect(r.common.format).toBe('raw');
    expect(r.options['count']).toBe(5);
  });

  it('treats a null file value (`key:` with nothing) as unset', () => {
    const r = resolveOptions(input({ config: cfg({ count: 6 }, { p: { count: null } }), profileName: 'p' }));
    expect(r.options['count']).toBe(6);
  });

  it('honours a custom variable name, and env: false', () => {
    const r = resolveOptions(input({ env: { FAKE_API_KEY: 'k1', EVTAIL_API_KEY: 'ignored', EVTAIL_NO_ENV: 'ignored' } }));
    expect(r.options['apiKey']).toBe('k1');
    expect(r.sources['apiKey']).toBe('env FAKE_API_KEY');
    expect(r.options['noEnv']).toBeUndefined();
  });

  it('keeps variadic CLI lists as typed, splits env lists on commas', () => {
    expect(resolveOptions(input({ cli: { topic: ['a', 'b'] } })).options['topic']).toEqual(['a', 'b']);
    expect(resolveOptions(input({ env: { EVTAIL_TOPIC: 'a, b' } })).options['topic']).toEqual(['a', 'b']);
  });

  it('collects every set secret, from any source', () => {
    const r = resolveOptions(input({ cli: { apiKey: 'from-flag' }, env: { EVTAIL_TOKEN: 'from-env' } }));
    expect(r.secrets.sort()).toEqual(['from-env', 'from-flag']);
  });

  it('never takes --profile or --config from the file, but from flag or environment', () => {
    const r = resolveOptions(input({ cli: { profile: 'p' }, env: { EVTAIL_CONFIG: '/x.yaml' }, config: cfg({}, { p: {} }), profileName: 'p' }));
    expect(r.common).toMatchObject({ profile: 'p', config: '/x.yaml' });
  });
});

describe('resolveOptions: bad values name their source', () => {
  it.each<[string, Partial<ResolveInput>, string]>([
    ['a flag', { cli: { maxEvents: 'abc' } }, '--max-events: expected a whole number >= 1, got "abc"'],
    [
      'an environment variable',
      { env: { EVTAIL_TIMEOUT: 'soon' } },
      'EVTAIL_TIMEOUT: expected a duration like 500ms, 30s, 5m, got "soon" (a bare number means seconds)',
    ],
    [
      'a profile key',
      { config: cfg({}, { a: { format: 'xml' } }), profileName: 'a' },
      `${FILE}: key "profiles.a.format": expected one of pretty, ndjson, raw, got "xml"`,
    ],
    ['a top-level key', { config: cfg({ maxFrameSize: 'huge' }) }, `${FILE}: key "maxFrameSize": expected a size like 1024, 512KiB, 16MiB, 1GiB, got "huge"`],
    ['a string', { config: cfg({ room: '' }) }, `${FILE}: key "room": expected a non-empty string, got ""`],
    ['a list', { config: cfg({ topic: { a: 1 } }) }, `${FILE}: key "topic": expected a list of strings, got an object`],
    ['a duration below min', { cli: { interval: '50ms' } }, '--interval: expected a duration of at least 100ms, got "50ms"'],
    ['a boolean', { env: { EVTAIL_ACK: 'sometimes' } }, 'EVTAIL_ACK: expected one of true, false, 1, 0, yes, no, on, off, got "sometimes"'],
    ['an enum', { cli: { level: 'HIGH' } }, '--level: expected one of low, high, got "HIGH"'],
    ['a number', { env: { EVTAIL_RATIO: 'half' } }, 'EVTAIL_RATIO: expected a number, got "half"'],
    ['retries', { config: cfg({ attempts: -1 }) }, `${FILE}: key "attempts": expected a whole number >= 0, or inf, got -1`],
    ['a secret', { config: cfg({ token: ['a'] }) }, `${FILE}: key "token": expected a non-empty string, got a list`],
  ])('%s', (_name, over, message) => {
    expect(usageError(() => resolveOptions(input(over))).message).toBe(message);
  });
});

describe('resolveOptions: config keys', () => {
  it('rejects an unknown profile key and suggests the nearest one', async () => {
    const file = path.join(FIXTURES, 'typo.yaml');
    const config = await loadConfig({ configPath: file, cwd: '/', env: {} });
    const err = usageError(() => resolveOptions(input({ config })));
    const known = ['provider', ...commonOptions.filter((o) => !o.cliOnly).map((o) => o.key), 'token', 'room', 'topic', 'interval', 'buffer', 'ack', 'level', 'count', 'ratio', 'attempts', 'apiKey', 'noEnv'];
    expect(err.message).toBe(`${file}: unknown key "profiles.x.tokn" (did you mean "token"? expected one of: ${known.join(', ')})`);
  });

  it.each([
    ['maxEvent', 'maxEvents'],
    ['max-events', 'maxEvents'],
    ['max_frame_size', 'maxFrameSize'],
    ['clientid', 'clientId'],
  ])('suggests %s → %s at the top level', (typo, near) => {
    const err = usageError(() => resolveOptions(input({ config: cfg({ [typo]: 1 }) })));
    expect(err.message).toContain(`unknown key "${typo}" (did you mean "${near}"? expected one of: url, format,`);
    expect(err.message).toContain('profiles, token,');
  });

  it('makes no suggestion when nothing is near', () => {
    const err = usageError(() => resolveOptions(input({ config: cfg({ wobble: 1 }) })));
    expect(err.message).toMatch(/^\/home\/u\/\.tailrc: unknown key "wobble" \(expected one of: /);
  });

  it('checks profiles that are not in use too', () => {
    const err = usageError(() => resolveOptions(input({ config: cfg({}, { used: {}, unused: { colour: true } }), profileName: 'used' })));
    expect(err.message).toContain('unknown key "profiles.unused.colour" (did you mean "color"?');
  });

  it("allows another provider's key at the top level and in a profile without provider", () => {
    const r = resolveOptions(input({ config: cfg({ clientId: 'shared' }, { loose: { clientId: 'x', token: 't' } }), profileName: 'loose' }));
    expect(r.options['token']).toBe('t');
    expect(r.options['clientId']).toBeUndefined();
  });

  it("rejects another provider's key in a profile bound to a provider", async () => {
    const file = path.join(FIXTURES, 'foreign-key.yaml');
    const config = await loadConfig({ configPath: file, cwd: '/', env: {} });
    const err = usageError(() => resolveOptions(input({ config })));
    expect(err.message).toBe(
      `${file}: key "profiles.mytweets.clientId" is an option of other, not of provider fake (profile "mytweets" has provider: fake)`,
    );
  });

  it('rejects command-line-only keys in the file', () => {
    expect(usageError(() => resolveOptions(input({ config: cfg({ profile: 'x' }) }))).message).toBe(
      `${FILE}: key "profile" is not allowed in a config file (use --profile or EVTAIL_PROFILE)`,
    );
    expect(usageError(() => resolveOptions(input({ config: cfg({}, { p: { config: 'x' } }) }))).message).toContain(
      'key "profiles.p.config" is not allowed in a config file',
    );
  });

  it('allows provider only inside a profile, and only a known one', () => {
    expect(usageError(() => resolveOptions(input({ config: cfg({ provider: 'fake' }) }))).message).toBe(
      `${FILE}: key "provider" is allowed only inside a profile (profiles.<name>.provider)`,
    );
    expect(usageError(() => resolveOptions(input({ config: cfg({}, { p: { provider: 'fkae' } }) }))).message).toBe(
      `${FILE}: key "profiles.p.provider": expected one of fake, other, got "fkae" (did you mean "fake"?)`,
    );
  });

  it("rejects a profile bound to another provider than the command's", () => {
    const config = cfg({}, { shop: { provider: 'other', clientId: 'c' } });
    expect(usageError(() => resolveOptions(input({ config, profileName: 'shop' }))).message).toBe(
      `${FILE}: profile "shop" is for provider other, not fake`,
    );
    // A generic command may use it: only the common options are resolved.
    expect(resolveOptions(input({ provider: undefined, config, profileName: 'shop' })).options).toEqual({});
  });
});

describe('resolveOptions: profiles', () => {
  it('lists the existing profiles when the one asked for is missing', () => {
    const err = usageError(() => resolveOptions(input({ config: cfg({}, { mytweets: {}, shop: {} }), profileName: 'mytweet' })));
    expect(err.message).toBe(`${FILE}: no profile "mytweet" (did you mean "mytweets"?); profiles there: mytweets, shop`);
  });

  it('says so when the file has no profiles, or there is no file', () => {
    expect(usageError(() => resolveOptions(input({ config: cfg({}), profileName: 'a' }))).message).toBe(
      `${FILE}: no profile "a"; it defines no profiles`,
    );
    expect(usageError(() => resolveOptions(input({ profileName: 'a' }))).message).toMatch(/^profile "a" was asked for, but no config file was found/);
  });

  it('does not take inherited object keys for profiles', () => {
    expect(usageError(() => resolveOptions(input({ config: cfg({}), profileName: 'toString' }))).message).toContain('no profile "toString"');
  });
});

describe('resolveOptions: unset ${VAR} in the file', () => {
  const file = path.join(FIXTURES, 'interpolate.yaml');
  const load = (): Promise<LoadedConfig | undefined> => loadConfig({ configPath: file, cwd: '/', env: { EVT_TOKEN: 't', EVT_TOPIC: 'n' } });

  it('fails when the value is used, naming file, key path and variable', async () => {
    const config = await load();
    const err = usageError(() => resolveOptions(input({ config, profileName: 'needs-missing' })));
    expect(err.message).toBe(
      `${file}: key "profiles.needs-missing.token": environment variable EVT_UNSET_SECRET is not set ` +
        '(set it, or write ${EVT_UNSET_SECRET:-fallback} for a default)',
    );
  });

  it('does not fail when a higher source wins, or the profile is not used', async () => {
    const config = await load();
    expect(resolveOptions(input({ config, profileName: 'needs-missing', cli: { token: 'flag' } })).options['token']).toBe('flag');
    expect(resolveOptions(input({ config, profileName: 'plain' })).options).toMatchObject({ token: 't', room: 'price: ${NOT_A_VAR}' });
  });
});

describe('helpers for the CLI', () => {
  it('configLocation picks --config/--profile from the flag, then the environment', () => {
    expect(configLocation({ config: 'a.yaml', profile: 'p' }, { EVTAIL_CONFIG: 'b.yaml', EVTAIL_PROFILE: 'q' }, commonOptions)).toEqual({
      configPath: 'a.yaml',
      profileName: 'p',
    });
    expect(configLocation({}, { EVTAIL_CONFIG: 'b.yaml', EVTAIL_PROFILE: 'q' }, commonOptions)).toEqual({ configPath: 'b.yaml', profileName: 'q' });
    expect(configLocation({}, { EVTAIL_PROFILE: '' }, commonOptions)).toEqual({});
  });

  it('checkRequired names the flag and variable, with the hint', () => {
    const err = usageError(() => checkRequired(fake, { room: 'x' }));
    expect(err.message).toBe('fake: missing --token or EVTAIL_TOKEN');
    expect(err.hint).toBe('get a token at https://fake.test/tokens');
    expect(() => checkRequired(fake, { token: 't' })).not.toThrow();
  });

  it('closest finds typos but not strangers', () => {
    expect(closest('fromat', ['format', 'url'])).toBe('format');
    expect(closest('zzz', ['format', 'url'])).toBeUndefined();
  });
});
