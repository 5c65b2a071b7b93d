/** `evtail <provider>`: resolve options from every source, then tail. */
import { commonOptions } from '../config/common-options.js';
import { isGroupOrWorldReadable, loadConfig, secretsWrittenInFile } from '../config/load.js';
import { checkRequired, configLocation, resolveOptions } from '../config/resolve.js';
import { resolveSecretSources } from '../config/secrets.js';
import { forwardOptions } from '../forward/options.js';
import { checkHeaderSafe } from '../config/header-safe.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { providers } from '../providers/registry.js';
import type { OptionSpec, ProviderSpec } from '../providers/spec.js';
import { sanitize } from '../output/sanitize.js';
import { runTail } from '../run.js';

export async function runProviderCommand(spec: ProviderSpec, cli: Record<string, unknown>, io: Io): Promise<number> {
  const { configPath, profileName } = configLocation(cli, io.env, commonOptions);
  const skippedCode: string[] = [];
  const config = await loadConfig({ configPath, cwd: io.cwd, env: io.env, onSkippedCode: (f) => skippedCode.push(f) });
  const resolved = resolveOptions({ provider: spec, common: commonOptions, cli, env: io.env, config, profileName, allProviderSpecs: providers });
  if (!resolved.common.quiet) announceConfig(io, skippedCode, config?.filepath, profileName, resolved.common.url ?? spec.defaultUrl);
  const secrets = new Set([...resolved.secrets, ...(await resolveSecretSources(spec.options, resolved.options, io.stdin, io.cwd)), ...(await resolveSecretSources(forwardOptions, resolved.common, io.stdin, io.cwd))]);
  checkRequired(spec, resolved.options);
  checkHeaderSafe(commonOptions, resolved.common, resolved.sources);
  checkHeaderSafe(spec.options, resolved.options, resolved.sources);
  checkUrl(resolved.common.url);
  if (config) warnReadableSecrets(config, spec.options, io, resolved.common.quiet);
  const module = await spec.load();
  return runTail({ spec, module, common: resolved.common, options: resolved.options, secrets: [...secrets], source: profileName ?? spec.name }, io);
}

/**
 * Say which config file is in use, with the profile and the endpoint's host, so a file that redirects the URL (and
 * with it the token) is visible; and name a JavaScript config the search did not run.
 */
export function announceConfig(io: Pick<Io, 'stderr'>, skippedCode: readonly string[], filepath: string | undefined, profile: string | undefined, url: string | undefined): void {
  for (const f of skippedCode) {
    io.stderr.write(`evtail: warning: ${printable(f)} was not run: a config found by searching is read as data only (YAML, JSON); to use this JavaScript file, pass --config ${printable(f)} or set EVTAIL_CONFIG\n`);
  }
  if (filepath === undefined) return;
  let host: string | undefined;
  try {
    host = url ? new URL(url).host : undefined;
  } catch {
    host = undefined;
  }
  io.stderr.write(`evtail: config ${printable(filepath)}${profile ? `, profile ${printable(profile)}` : ''}${host ? `, endpoint ${printable(host)}` : ''}\n`);
}

/** A path or name from the filesystem, safe for a terminal: the one sanitiser. */
const printable = sanitize;

function warnReadableSecrets(config: Awaited<ReturnType<typeof loadConfig>> & object, specs: readonly OptionSpec[], io: Io, quiet: boolean): void {
  if (quiet) return;
  const written = secretsWrittenInFile(config, specs);
  if (written.length && isGroupOrWorldReadable(config.filepath)) {
    io.stderr.write(`evtail: warning: ${printable(config.filepath)} holds a secret (${written.join(', ')}) and is readable by other users; run: chmod 600 ${printable(config.filepath)}\n`);
  }
}

/** --url, from wherever it came: a WebSocket URL, said once here rather than by every driver. */
export function checkUrl(url: string | undefined): void {
  if (url === undefined) return;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['ws:', 'wss:', 'http:', 'https:'].includes(parsed.protocol)) {
    throw new UsageError(`--url: expected a ws:// or wss:// URL, got "${url}"`, 'e.g. --url wss://example.com/socket');
  }
}
