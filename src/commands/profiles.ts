/** `evtail profiles`: the profiles of the config file in use, with provider and endpoint, secrets redacted. */
import { commonOptions } from '../config/common-options.js';
import { loadConfig } from '../config/load.js';
import { configLocation } from '../config/resolve.js';
import type { Io } from '../io.js';
import { findProvider, providers } from '../providers/registry.js';
import { Redactor } from '../redact.js';

export async function runProfilesCommand(cli: Record<string, unknown>, namesOnly: boolean, io: Io): Promise<number> {
  const { configPath } = configLocation(cli, io.env, commonOptions);
  const config = await loadConfig({ configPath, cwd: io.cwd, env: io.env });
  if (!config) {
    if (!namesOnly) io.stderr.write('evtail: no config file found (.tailrc, .tailrc.yaml, package.json "evtail", …); .tailrc.example shows one with a profile per provider\n');
    return 0;
  }
  const names = Object.keys(config.profiles);
  const groups = Object.entries(config.groups ?? {});
  if (namesOnly) {
    // Every name -p takes: profiles, then groups.
    const all = [...names, ...groups.map(([g]) => g)];
    if (all.length) io.stdout.write(all.join('\n') + '\n');
    return 0;
  }
  io.stderr.write(`evtail: ${names.length} profile${names.length === 1 ? '' : 's'} in ${config.filepath}\n`);
  const secretKeys = new Set(providers.flatMap((p) => p.options.filter((o) => o.secret).map((o) => o.key)));
  const rows = names.map((name) => {
    const profile = config.profiles[name]!;
    const secrets = Object.entries({ ...config.defaults, ...profile }).filter(([k, v]) => secretKeys.has(k) && typeof v === 'string').map(([, v]) => v as string);
    const redactor = new Redactor(secrets);
    const providerName = typeof profile.provider === 'string' ? profile.provider : undefined;
    const spec = providerName ? findProvider(providerName) : undefined;
    const url = profile.url ?? config.defaults.url;
    const endpoint = typeof url === 'string' ? redactor.redact(url) : (spec?.defaultUrl ?? (spec ? '(--url needed)' : '-'));
    return [name, providerName ?? '(any: evtail <provider> -p ' + name + ')', endpoint];
  });
  const header = ['PROFILE', 'PROVIDER', 'ENDPOINT'];
  const widths = [0, 1].map((i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`.trimEnd();
  io.stdout.write([header, ...rows].map(line).join('\n') + '\n');
  if (groups.length) io.stdout.write(`\nGROUP  PROFILES\n${groups.map(([g, members]) => `${g}  ${members.join(', ')}`).join('\n')}\n`);
  return 0;
}
