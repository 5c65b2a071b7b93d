/** `evtail <provider>`: resolve options from every source, then tail. */
import { commonOptions } from '../config/common-options.js';
import { isGroupOrWorldReadable, loadConfig, secretsWrittenInFile } from '../config/load.js';
import { checkRequired, configLocation, resolveOptions } from '../config/resolve.js';
import { resolveSecretSources } from '../config/secrets.js';
import type { CliIo } from '../cli.js';
import { providers } from '../providers/registry.js';
import type { OptionSpec, ProviderSpec } from '../providers/spec.js';
import { runTail } from '../run.js';

export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;
}

export async function runProviderCommand(spec: ProviderSpec, cli: Record<string, unknown>, io: CliIo): Promise<number> {
  const { configPath, profileName } = configLocation(cli, io.env, commonOptions);
  const config = await loadConfig({ configPath, cwd: io.cwd, env: io.env });
  const resolved = resolveOptions({ provider: spec, common: commonOptions, cli, env: io.env, config, profileName, allProviderSpecs: providers });
  const secrets = new Set([...resolved.secrets, ...(await resolveSecretSources(spec.options, resolved.options, io.stdin))]);
  checkRequired(spec, resolved.options);
  if (config) warnReadableSecrets(config, spec.options, io, resolved.common.quiet);
  const module = await spec.load();
  return runTail({ spec, module, common: resolved.common, options: resolved.options, secrets: [...secrets] }, io);
}

function warnReadableSecrets(config: Awaited<ReturnType<typeof loadConfig>> & object, specs: readonly OptionSpec[], io: CliIo, quiet: boolean): void {
  if (quiet) return;
  const written = secretsWrittenInFile(config, specs);
  if (written.length && isGroupOrWorldReadable(config.filepath)) {
    io.stderr.write(`evtail: warning: ${config.filepath} holds a secret (${written.join(', ')}) and is readable by other users; run: chmod 600 ${config.filepath}\n`);
  }
}
