/**
 * `evtail -p tips -p tweets` (or `-p <group>`): several profiles at once, each with its own provider, credentials
 * and connection, merged into one output. Also a single stream that asks for --metrics or --source.
 */
import { commonOptions } from '../config/common-options.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { checkRequired, resolveOptions } from '../config/resolve.js';
import { resolveSecretSources } from '../config/secrets.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { findProvider, providers } from '../providers/registry.js';
import { runTail, type StreamPlan } from '../run.js';
import { checkUrl } from './tail.js';

/** Options that belong to one stream's connection; everything else is run-wide (format, filters, limits). */
const PER_STREAM = new Set(['url', 'reconnect', 'maxRetries', 'retryWindow', 'ca', 'insecure', 'proxy', 'maxFrameSize']);

export async function runStreamsCommand(names: string[], cli: Record<string, unknown>, configPath: string | undefined, io: Io): Promise<number> {
  const config = await loadConfig({ configPath, cwd: io.cwd, env: io.env });
  if (!config) throw new UsageError(`no config file found for profiles ${names.join(', ')}`, 'create a .tailrc (see .tailrc.example) or pass --config <file>');
  const profiles = expandGroups(names, config);
  const run = resolveOptions({ common: commonOptions, cli, env: io.env, config, allProviderSpecs: providers }).common;
  const plans: StreamPlan[] = [];
  for (const source of profiles) {
    const spec = providerOf(source, config);
    const resolved = resolveOptions({ provider: spec, common: commonOptions.filter((o) => PER_STREAM.has(o.key)), cli, env: io.env, config, profileName: source, allProviderSpecs: providers });
    const secrets = new Set([...resolved.secrets, ...(await resolveSecretSources(spec.options, resolved.options, io.stdin, io.cwd))]);
    try {
      checkRequired(spec, resolved.options);
      checkUrl(resolved.common.url);
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`profile "${source}": ${err.message}`, err.hint);
      throw err;
    }
    const module = await spec.load();
    plans.push({ source, spec, module, common: { ...run, ...resolved.common }, options: resolved.options, secrets: [...secrets] });
  }
  return runTail(plans, io, run);
}

/** Profile names, with groups (`groups: { desk: [tips, tweets] }`) expanded, each profile once, in order. */
export function expandGroups(names: string[], config: LoadedConfig): string[] {
  const out: string[] = [];
  for (const name of names) {
    const group = config.groups?.[name];
    for (const p of group ?? [name]) if (!out.includes(p)) out.push(p);
  }
  return out;
}

function providerOf(profile: string, config: LoadedConfig) {
  const p = config.profiles[profile];
  if (!p || !Object.hasOwn(config.profiles, profile)) {
    const names = Object.keys(config.profiles);
    const shown = names.length > 20 ? `${names.slice(0, 20).join(', ')} … and ${names.length - 20} more` : names.join(', ');
    throw new UsageError(`${config.filepath}: no profile "${profile}"`, names.length ? `profiles: ${shown}` : 'the file has no profiles');
  }
  const spec = typeof p.provider === 'string' ? findProvider(p.provider) : undefined;
  if (!spec) throw new UsageError(`${config.filepath}: profile "${profile}" does not name a provider`, `add provider: <${providers.map((x) => x.name).join('|')}> to it`);
  return spec;
}
