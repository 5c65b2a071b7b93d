/**
 * What the arguments mean before commander sees them: `evtail -p <profile>` alone (the profile names its provider,
 * or several profiles / a group make one merged run) and `evtail demo|mock <target>` checked with a helpful message.
 */
import { UsageError } from './errors.js';
import { formatList } from './format.js';
import type { Io } from './io.js';
import { findProvider, providers } from './providers/registry.js';

/** `evtail demo ws`, `evtail mock kraken`: say what is wrong instead of commander's "too many arguments". */
export function checkMockTarget(args: string[]): void {
  const [command, target] = args;
  if (command === 'mock' && target === undefined) {
    throw new UsageError('mock: which provider?', `evtail mock <${providers.filter((p) => !p.noMock).map((p) => p.name).join('|')}>; evtail mock --help lists them`);
  }
  if ((command !== 'demo' && command !== 'mock') || target === undefined || target.startsWith('-') || target === 'help') return;
  const mocked = providers.filter((p) => !p.noMock).map((p) => p.name);
  if (mocked.includes(target)) return;
  const spec = findProvider(target);
  const why = spec ? `${target} has no mock: it tails any endpoint you give it` : `unknown provider "${target}"`;
  throw new UsageError(`${command}: ${why}`, `one of: ${mocked.join(', ')}`);
}

/** Every value of a repeatable option: `-p a -p b --profile=c` → [a, b, c]. */
function values(argv: string[], names: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    for (const n of names) {
      if (a === n && argv[i + 1] !== undefined) out.push(argv[i + 1]!);
      else if (a.startsWith(`${n}=`)) out.push(a.slice(n.length + 1));
    }
  }
  return out;
}

/**
 * `evtail -p mytweets` alone: the profile names its provider. Rewrites the arguments to `evtail <provider> …`.
 */
export async function expandProfileShortcut(argv: string[], io: Io): Promise<string[]> {
  if (argv.length === 0 || !argv[0]!.startsWith('-')) return argv;
  if (['-h', '--help', '-V', '--version'].includes(argv[0]!)) return argv;
  const value = (names: string[]): string | undefined => {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      for (const n of names) {
        if (a === n) return argv[i + 1];
        if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
      }
    }
    return undefined;
  };
  const profiles = values(argv, ['-p', '--profile']);
  const profile = profiles[0];
  if (profile === undefined && argv.some((a) => a === '-p' || a === '--profile')) throw new UsageError('-p, --profile: expected a profile name', 'evtail -p <profile>; evtail profiles lists them');
  if (!profile) return argv;
  const { loadConfig } = await import('./config/load.js');
  const config = await loadConfig({ configPath: value(['--config']) ?? (io.env.EVTAIL_CONFIG || undefined), cwd: io.cwd, env: io.env });
  if (!config) throw new UsageError(`no config file found for profile "${profile}"`, 'create a .tailrc (see .tailrc.example) or pass --config <file>');
  // Several profiles, or a group of them: one merged run.
  if (profiles.length > 1 || (config.groups && Object.hasOwn(config.groups, profile))) return ['streams', ...argv];
  const p = config.profiles[profile];
  if (!p) {
    const names = Object.keys(config.profiles);
    throw new UsageError(`${config.filepath}: no profile "${profile}"`, names.length ? `profiles: ${formatList(names)}` : 'the file has no profiles');
  }
  const name = p.provider;
  if (typeof name !== 'string' || !findProvider(name)) {
    throw new UsageError(`${config.filepath}: profile "${profile}" does not name a provider`, `add provider: <${providers.map((x) => x.name).join('|')}> to it, or run evtail <provider> -p ${profile}`);
  }
  return [name, ...argv];
}
