/**
 * `evtail completion bash|zsh|fish`: a completion script for subcommands, flags, provider names and profile names
 * (asked of `evtail profiles --names` when completing -p, so it follows the config file in use).
 */
import { commonOptions, demoCommonOptions, demoProviderOptions, replayIgnoredOptions } from '../config/common-options.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { providers } from '../providers/registry.js';
import type { OptionSpec } from '../providers/spec.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

interface Flag {
  long: string;
  short?: string;
  /** Takes a value; 'file' when the value is a path. */
  value?: 'file' | 'any' | string[];
}

function flagsOf(specs: readonly OptionSpec[]): Flag[] {
  const out: Flag[] = [];
  for (const s of specs) {
    const long = /--[a-z0-9-]+/.exec(s.flags)?.[0];
    if (!long) continue;
    const short = /(?:^|\s)(-[a-zA-Z]),/.exec(s.flags)?.[1];
    const takes = /[<[]/.test(s.flags);
    const value: Flag['value'] = !takes ? undefined : s.choices ? [...s.choices, ...Object.keys(s.aliases ?? {})] : s.key.endsWith('File') || ['record', 'config', 'ca'].includes(s.key) ? 'file' : 'any';
    out.push({ long, ...(short ? { short } : {}), ...(value ? { value } : {}) });
    if (s.negatable) out.push({ long: long.replace(/^--/, '--no-') });
  }
  return [...out, { long: '--help', short: '-h' }];
}

/** Every command line the completion knows: "tweetcatcher", "demo doshii", "mock push", "replay"… → its flags. */
function commandTable(): { top: string[]; mocked: string[]; flags: Map<string, Flag[]> } {
  const mocked = providers.filter((p) => !p.noMock).map((p) => p.name);
  const flags = new Map<string, Flag[]>();
  for (const p of providers) flags.set(p.name, flagsOf([...(p.urlArgument ? commonOptions.filter((o) => o.key !== 'url') : commonOptions), ...p.options]));
  const rate: OptionSpec = { key: 'rate', flags: '--rate <n>', kind: 'number', description: '' };
  for (const p of providers.filter((x) => !x.noMock)) {
    flags.set(`demo ${p.name}`, flagsOf([...demoCommonOptions(), ...demoProviderOptions(p), rate]));
    flags.set(`mock ${p.name}`, flagsOf(p.mockOptions));
  }
  flags.set('demo', flags.get('demo tweetcatcher')!);
  flags.set('mock', [{ long: '--help', short: '-h' }]);
  flags.set('replay', flagsOf([...commonOptions.filter((o) => !replayIgnoredOptions.has(o.key)), { key: 'speed', flags: '--speed <factor>', kind: 'number', description: '' }, { key: 'asFast', flags: '--as-fast-as-possible', kind: 'boolean', description: '' }]));
  flags.set('profiles', flagsOf([{ key: 'config', flags: '--config <file>', kind: 'string', description: '' }, { key: 'names', flags: '--names', kind: 'boolean', description: '' }]));
  flags.set('completion', [{ long: '--help', short: '-h' }]);
  const top = [...providers.map((p) => p.name), 'demo', 'mock', 'replay', 'profiles', 'completion', 'help'];
  return { top, mocked, flags };
}

const words = (fs: Flag[]) => fs.flatMap((f) => (f.short ? [f.short, f.long] : [f.long])).join(' ');

function bash(): string {
  const { top, mocked, flags } = commandTable();
  const all = [...flags.values()].flat();
  const fileFlags = [...new Set(all.filter((f) => f.value === 'file').flatMap((f) => [f.long, ...(f.short ? [f.short] : [])]))];
  const choiceFlags = new Map<string, string[]>();
  for (const f of all) if (Array.isArray(f.value)) choiceFlags.set(f.long, f.value);
  const cases = [...flags].map(([k, fs]) => `    '${k}') flags='${words(fs)}' ;;`).join('\n');
  const choices = [...choiceFlags].map(([f, v]) => `    ${f}${f === '--format' ? '|-o' : ''}) COMPREPLY=($(compgen -W '${v.join(' ')}' -- "$cur")); return ;;`).join('\n');
  return `# evtail completion for bash (zsh: see evtail completion zsh). Load it now: source <(evtail completion bash)
# or keep it: evtail completion bash > ~/.local/share/bash-completion/completions/evtail
_evtail() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="\${COMP_WORDS[1]}" sub="\${COMP_WORDS[2]}"
  COMPREPLY=()
  case "$prev" in
    -p|--profile) COMPREPLY=($(compgen -W "$(command evtail profiles --names 2>/dev/null)" -- "$cur")); return ;;
${choices}
    ${fileFlags.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W '${top.join(' ')} -p --profile --config --help --version' -- "$cur"))
    return
  fi
  local key="$cmd"
  case "$cmd" in
    demo|mock)
      if [ "$COMP_CWORD" -eq 2 ] && [[ "$cur" != -* ]]; then COMPREPLY=($(compgen -W '${mocked.join(' ')}' -- "$cur")); return; fi
      [[ -n "$sub" && "$sub" != -* && "$COMP_CWORD" -gt 2 ]] && key="$cmd $sub" ;;
    completion) COMPREPLY=($(compgen -W '${SHELLS.join(' ')}' -- "$cur")); return ;;
    help) COMPREPLY=($(compgen -W '${top.join(' ')}' -- "$cur")); return ;;
    -p|--profile|--config) key='${providers[0]!.name}' ;;
  esac
  local flags=''
  case "$key" in
${cases}
  esac
  if [[ "$cur" == -* || -z "$flags" ]]; then COMPREPLY=($(compgen -W "$flags" -- "$cur")); return; fi
  COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _evtail evtail
`;
}

function zsh(): string {
  return `#compdef evtail
# evtail completion for zsh: the bash completion through zsh's bashcompinit.
# Load it now: source <(evtail completion zsh); or keep it: evtail completion zsh > "\${fpath[1]}/_evtail"
autoload -U +X bashcompinit && bashcompinit
${bash().split('\n').filter((l) => !l.startsWith('#')).join('\n')}`;
}

function fish(): string {
  const { top, mocked, flags } = commandTable();
  const lines = [
    '# evtail completion for fish: evtail completion fish > ~/.config/fish/completions/evtail.fish',
    'complete -c evtail -f',
    `complete -c evtail -n __fish_use_subcommand -a '${top.join(' ')}'`,
    "complete -c evtail -s p -l profile -x -a '(evtail profiles --names 2>/dev/null)' -d 'a profile of the config file'",
    `complete -c evtail -n '__fish_seen_subcommand_from demo mock' -n 'test (count (commandline -opc)) -eq 2' -a '${mocked.join(' ')}'`,
    `complete -c evtail -n '__fish_seen_subcommand_from completion' -a '${SHELLS.join(' ')}'`,
  ];
  for (const [key, fs] of flags) {
    const [cmd, sub] = key.split(' ');
    const cond = sub ? `__fish_seen_subcommand_from ${cmd}; and __fish_seen_subcommand_from ${sub}` : `__fish_seen_subcommand_from ${cmd}`;
    for (const f of fs) {
      if (f.long === '--profile') continue;
      const opt = `${f.short ? `-s ${f.short.slice(1)} ` : ''}-l ${f.long.slice(2)}`;
      const value = f.value === 'file' ? ' -r -F' : Array.isArray(f.value) ? ` -x -a '${f.value.join(' ')}'` : f.value ? ' -x' : '';
      lines.push(`complete -c evtail -n '${cond}' ${opt}${value}`);
    }
  }
  return lines.join('\n') + '\n';
}

export function runCompletionCommand(shell: string, io: Io): number {
  const scripts: Record<string, () => string> = { bash, zsh, fish };
  const make = scripts[shell];
  if (!make) throw new UsageError(`completion: unknown shell "${shell}"`, `one of: ${SHELLS.join(', ')}`);
  io.stdout.write(make());
  return 0;
}
