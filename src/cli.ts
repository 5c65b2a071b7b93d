/**
 * The command line: one subcommand per provider, plus demo, mock (and later replay, ws, socketcluster).
 * Everything heavy (drivers, ws, ora, chalk) is imported only once a command runs, so --help stays fast.
 */
import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import { DEMO_RATE, commonOptions, demoCommonOptions, demoProviderOptions, replayIgnoredOptions } from './config/common-options.js';
import { EvtailError, ExitCode } from './errors.js';
import type { Io } from './io.js';
import { Redactor } from './redact.js';
import { sanitize, sanitizeLines } from './output/sanitize.js';
import { providers } from './providers/registry.js';
import type { OptionSpec, ProviderSpec } from './providers/spec.js';
import { formatDuration, formatSize } from './format.js';
import { shellQuote } from './shell-quote.js';
import { checkMockTarget, expandProfileShortcut } from './args.js';
import { version } from './version.js';

// commander through require(): its ESM entry costs the ESM loader and cjs-module-lexer on every run's start-up.
const { Command, CommanderError, Help, Option } = createRequire(import.meta.url)('commander') as typeof Commander;
type Command = Commander.Command;


// stdin on first use: creating process.stdin loads stream modules that --help and most runs never need.
const defaultIo = (): Io => ({
  stdout: process.stdout,
  stderr: process.stderr,
  get stdin() {
    return process.stdin;
  },
  env: process.env,
  cwd: process.cwd(),
});


const EXIT_CODES = `Exit codes:
  0  done: --max-events reached, --until matched, --duration passed, or the stream ended normally
  1  internal error (a bug: please report it)
  2  usage or configuration error
  3  authentication refused
  4  --timeout reached before --max-events / --until
  5  connection failed, or gave up reconnecting
  6  --idle-timeout: no event for that long (the feed went quiet)
  7  some events could not be delivered to a sink (--forward-to, --publish)
  128+n  stopped by signal n (130 for Ctrl-C), after flushing output
  With -q, outcomes the code states (4, 6) print nothing; errors that need action print one line.`;

const ROOT_EXAMPLES = `
Examples:
  $ evtail demo                                    # a local mock, pretty events: no account needed
  $ evtail demo --format ndjson -n 5 | jq -c .type
  $ evtail demo doshii --forward-to localhost:3000/doshii   # POST each event to your webhook handler
  $ evtail tweetcatcher --token-file ~/.tweetcatcher-token
  $ evtail -p mytweets                             # a profile from .tailrc (names its provider)
  $ evtail -p tips -p tweets --metrics 9464        # several streams, one merged output, Prometheus metrics
  $ evtail tweetcatcher --token-file t -n 1 --timeout 60s -q || alert   # cron/CI smoke check
  $ evtail completion bash > ~/.local/share/bash-completion/completions/evtail
  $ evtail mock tweetcatcher --port 42069          # a local server for your own client

Output: pretty at a terminal, NDJSON in a pipe, one envelope per line:
  {"time":"…","provider":"tweetcatcher","type":"twitter.post.new","id":"…","data":{…}}

${EXIT_CODES}

Options may also come from a config file (.tailrc, .tailrc.json/.yaml/.yml or the "evtail" key of package.json,
searched upward; a JavaScript config only with --config) and from EVTAIL_* variables (EVTAIL_TOKEN, EVTAIL_FORMAT, …).
Precedence: flags > environment > profile > file defaults > built-in defaults.`;

/** Map from commander attribute name to our option key, per command. */
type KeyMap = Map<string, OptionSpec>;

function addOptions(cmd: Command, specs: readonly OptionSpec[], keys: KeyMap): void {
  for (const spec of specs) {
    const opt = new Option(spec.flags, spec.description);
    if (spec.hidden) opt.hideHelp();
    cmd.addOption(opt);
    keys.set(opt.attributeName(), spec);
    if (spec.negatable) {
      const neg = new Option(`--no-${opt.long!.replace(/^--/, '')}`, `turn ${opt.long} off`);
      cmd.addOption(neg);
    }
  }
}

/** Only what the user typed: commander defaults must not outrank config files and the environment. */
function typedValues(cmd: Command, keys: KeyMap): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const all = cmd.opts();
  for (const [attr, spec] of keys) {
    if (cmd.getOptionValueSource(attr) === 'cli' && all[attr] !== undefined) values[spec.key] = all[attr];
  }
  return values;
}

const GENERIC_FILTERS = { type: ['order_*', 'channel.*'], match: ['data.amount>10', 'topic~tips'], until: 'type=order_created' };

function examplesText(spec: ProviderSpec, extra = ''): string {
  const lines = spec.examples.map((e) => `  $ ${e}`).join('\n');
  const p = `evtail ${spec.name} …`;
  const f = spec.filterExamples ?? GENERIC_FILTERS;
  const q = (s: string) => shellQuote(s);
  const smoke = [
    [`${f.type.map((t) => `--type ${q(t)}`).join(' ')}`, 'keep matching types (globs)'],
    [`${f.match.map((m) => `--match ${q(m)}`).join(' ')}`, 'keep events where every expression holds'],
    [`--match ${q(f.until)} -n 1 --timeout 60s`, 'print only the first match: exit 0 when it comes, 4 if not'],
    [`--until ${q(f.until)} --timeout 60s`, 'print everything up to and including the match'],
    ['--idle-timeout 5m', 'exit 6 after 5 minutes without an event'],
    ['--duration 10m --stats', 'watch for 10 minutes, exit 0, with a summary'],
    ['--stats --meta -o ndjson | jq -c .', 'evtail.* records say where gaps are'],
  ];
  const width = Math.max(...smoke.map(([a]) => a!.length));
  const smokeText = smoke.map(([a, why]) => `  $ ${p} ${a!.padEnd(width)}  # ${why}`).join('\n');
  return `\nExamples:\n${lines}${extra}\n\nSmoke checks and filters (expressions: <path><op><value>, op = != ~ > < >= <=):\n${smokeText}\n\n${EXIT_CODES}\n`;
}

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  let code: number = ExitCode.ok;
  const setCode = (c: number) => (code = c);
  try {
    const args = await expandProfileShortcut(argv, io);
    checkMockTarget(args);
    const program = buildProgram(io, setCode, args);
    if (args.length === 0) {
      io.stderr.write(program.helpInformation());
      return ExitCode.usage;
    }
    await program.parseAsync(args, { from: 'user' });
    return code;
  } catch (err) {
    return handleError(err, io);
  }
}

function handleError(err: unknown, io: Io): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
    // commander has already printed its one-line message through outputError.
    return ExitCode.usage;
  }
  const redact = (text: string) => new Redactor([]).redact(text);
  if (err instanceof EvtailError) {
    // The message may quote a server, a config file or an env value: sanitised, but evtail's own line breaks
    // (the caret under a bad --match) are kept.
    const hint = err.hint ? (err.exitCode === ExitCode.usage ? ` (${sanitize(redact(err.hint))})` : `\nevtail: hint: ${sanitize(redact(err.hint))}`) : '';
    io.stderr.write(`evtail: error: ${sanitizeLines(redact(err.message))}${hint}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  io.stderr.write(`evtail: internal error: ${sanitizeLines(redact(e?.message ?? String(err)))}\n`);
  if (io.env.EVTAIL_DEBUG && e?.stack) io.stderr.write(e.stack + '\n');
  io.stderr.write('evtail: this is a bug; please report it with the command you ran (set EVTAIL_DEBUG=1 for a stack trace)\n');
  return ExitCode.internal;
}

/**
 * The top-level command these arguments run (or ask help for). Only that one is built with its options and help
 * texts: building the options of every command was most of `evtail --help`'s own start-up time. An unknown name
 * builds them all, so nothing depends on this guess being right.
 */
function invokedCommand(args: string[]): (name: string) => boolean {
  const first = args[0] === 'help' ? args[1] : args[0];
  if (first === undefined || first.startsWith('-')) return () => false;
  const known = [...providers.map((p) => p.name), 'demo', 'mock', 'replay', 'profiles', 'completion', 'nats', 'streams'];
  return known.includes(first) ? (name) => name === first : () => true;
}

function buildProgram(io: Io, setCode: (c: number) => void, args: string[]): Command {
  const full = invokedCommand(args);
  /** Commands listed without their options built: the list still says "<name> [options]". */
  const optionsNotBuilt = new WeakSet<Command>();
  const program = new Command();
  program
    .name('evtail')
    .description('Tail realtime WebSocket event streams: pretty at a terminal, NDJSON in a pipe, exit codes that mean something.')
    .version(version(), '-V, --version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(sanitizeLines(s)),
      outputError: (s, write) => write(`evtail: ${s.trim()}\n`),
    })
    .showSuggestionAfterError(true)
    // Options of the program itself only before a command, so `evtail tweetcatcher -p x` stays the command's.
    .enablePositionalOptions()
    // `evtail -p <profile>` is rewritten to `evtail <provider> -p <profile>` before parsing; listed here for --help.
    .addOption(new Option('-p, --profile <name>', 'run a profile from the config file (it names its provider); repeat it, or name a group, to run several at once'))
    .addOption(new Option('--config <file>', 'the config file to read profiles from, instead of searching for .tailrc*'))
    .configureHelp({
      subcommandTerm(cmd) {
        const term = Help.prototype.subcommandTerm.call(this, cmd);
        return optionsNotBuilt.has(cmd) ? `${cmd.name()} [options]${term.slice(cmd.name().length)}` : term;
      },
    })
    .addHelpText('after', ROOT_EXAMPLES);

  for (const spec of providers) {
    const keys: KeyMap = new Map();
    const cmd = program
      .command(spec.urlArgument ? `${spec.name} [url]` : spec.name)
      .summary(spec.summary)
      .description(`${spec.summary}\nEndpoint: ${spec.urlArgument ? 'the [url] argument (ws:// or wss://), or url: in a profile' : spec.defaultUrl ?? '(none: pass --url)'}`);
    if (!full(spec.name)) {
      optionsNotBuilt.add(cmd);
      continue;
    }
    addOptions(cmd, spec.urlArgument ? commonOptions.filter((o) => o.key !== 'url') : commonOptions, keys);
    addOptions(cmd, spec.options, keys);
    cmd.addHelpText('after', examplesText(spec));
    cmd.action(async (...args: unknown[]) => {
      const values = typedValues(cmd, keys);
      if (spec.urlArgument && args[0] !== undefined) values.url = args[0];
      const { runProviderCommand } = await import('./commands/tail.js');
      setCode(await runProviderCommand(spec, values, io));
    });
  }

  const demo = program
    .command('demo')
    .summary('tail a local mock of a provider: no account needed (default: tweetcatcher)')
    .description('Start a provider\'s mock on 127.0.0.1 and tail it, with every output option. No account, no network.')
    .addHelpText('after', `\nExamples:\n  $ evtail demo                                   # tweetcatcher, pretty\n  $ evtail demo --format ndjson -n 5 | jq -c .type\n  $ evtail demo doshii --meta --stats\n  $ evtail demo webinate --echo hello -o ndjson -n 3\n  $ evtail demo push --send hi\n  $ evtail demo <provider> --help                 # the options of one demo\n`);
  for (const spec of full('demo') ? providers.filter((p) => !p.noMock) : []) {
    const keys: KeyMap = new Map();
    const sub = demo.command(spec.name, { isDefault: spec.name === 'tweetcatcher' }).summary(`demo of ${spec.name}`).description(`Tail a local ${spec.name} mock: no account needed.`);
    addOptions(sub, demoCommonOptions(), keys);
    addOptions(sub, demoProviderOptions(spec), keys);
    const rate = new Option('--rate <n>', `events per second from the mock (default ${DEMO_RATE}; 0: as fast as the socket allows)`);
    sub.addOption(rate);
    sub.addHelpText('after', `\nExamples:\n  $ evtail demo ${spec.name}\n  $ evtail demo ${spec.name} --format ndjson --max-events 5 | jq -c .type\n`);
    sub.action(async () => {
      const { runDemoCommand } = await import('./commands/demo.js');
      setCode(await runDemoCommand(spec, typedValues(sub, keys), sub.opts().rate as string | undefined, io));
    });
  }

  const mock = program
    .command('mock')
    .summary("run a provider's mock server for local development (fault knobs included)")
    .description('Run a protocol-faithful mock of a provider on loopback, for your own client or for evtail. Stop with Ctrl-C.')
    .addHelpText('after', `\nExamples:\n  $ evtail mock tweetcatcher                      # ws://127.0.0.1:42069/websocket\n  $ evtail mock doshii --port 0 --rate 50          # any free port, 50 events/s\n  $ evtail mock streamelements --drop-after 10 --faulty 1\n  $ evtail mock <provider> --help                 # that mock's knobs\n`);
  for (const spec of full('mock') ? providers.filter((p) => !p.noMock) : []) {
    const keys: KeyMap = new Map();
    const sub = mock.command(spec.name).summary(`mock ${spec.name} server`).description(`A ${spec.name} server speaking the published protocol, with fault knobs.`);
    addOptions(sub, spec.mockOptions.map((o) => withDefaultShown(o, o.key === 'port' ? spec.mockDefaultPort : o.default)), keys);
    sub.addHelpText('after', `\nExamples:\n  $ evtail mock ${spec.name}${spec.mockDefaultPort ? ` --port ${spec.mockDefaultPort}` : ''}\n  $ evtail mock ${spec.name} --drop-after 10 --faulty 1     # drop the first connection after 10 events\n`);
    sub.action(async () => {
      const { runMockCommand } = await import('./commands/mock.js');
      setCode(await runMockCommand(spec, typedValues(sub, keys), io));
    });
  }
  const profiles = program
    .command('profiles')
    .summary('list the profiles of the config file in use: provider and endpoint, secrets redacted')
    .description('List the profiles of the config file in use (searched like every run, or --config / EVTAIL_CONFIG): name, provider and endpoint, secrets shown as ***.')
    .option('--config <file>', 'read this config file instead of searching for .tailrc*')
    .option('--names', 'only the names, one per line (for scripts and shell completion)')
    .addHelpText('after', '\nExamples:\n  $ evtail profiles\n  $ evtail profiles --config ./ci.tailrc.yaml\n  $ evtail -p "$(evtail profiles --names | head -1)"\n');
  profiles.action(async () => {
    const { runProfilesCommand } = await import('./commands/profiles.js');
    const o = profiles.opts();
    setCode(await runProfilesCommand(o.config === undefined ? {} : { config: o.config }, o.names === true, io));
  });

  const completion = program
    .command('completion <shell>')
    .summary('print a shell completion script: bash, zsh or fish')
    .description('Print a completion script for bash, zsh or fish: subcommands, flags, provider names and the profile names of the config in use.')
    .addHelpText('after', '\nExamples:\n  $ source <(evtail completion bash)                                   # this shell\n  $ evtail completion bash > ~/.local/share/bash-completion/completions/evtail\n  $ evtail completion zsh > "${fpath[1]}/_evtail"\n  $ evtail completion fish > ~/.config/fish/completions/evtail.fish\n');
  completion.action(async (shell: string) => {
    const { runCompletionCommand } = await import('./commands/completion.js');
    setCode(runCompletionCommand(shell, io));
  });

  if (full('streams')) {
    // `evtail -p a -p b` (or -p <group>) lands here: several profiles at once, merged into one output.
    const keys: KeyMap = new Map();
    const streams = program.command('streams', { hidden: true }).description('Several profiles at once (evtail -p a -p b, or -p <group>): one merged stream.');
    addOptions(streams, commonOptions.filter((o) => !['url', 'profile'].includes(o.key)), keys);
    streams.addOption(new Option('-p, --profile <name>', 'a profile or a group of profiles (repeatable)').argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]));
    streams.action(async () => {
      const values = typedValues(streams, keys);
      const { runStreamsCommand } = await import('./commands/streams.js');
      setCode(await runStreamsCommand(streams.opts().profile as string[], values, values.config as string | undefined, io));
    });
  }

  const replayKeys: KeyMap = new Map();
  const replay = program
    .command('replay <file>')
    .summary('replay a --record file through the same decoders, filters and printers')
    .description('Replay a file written by --record: the frames go through the provider\'s decoder, the filters and the printers of a live run.\nTiming follows the recording (--speed to change it); events keep the time they were recorded.');
  const replayCommon = commonOptions.filter((o) => full('replay') && !replayIgnoredOptions.has(o.key));
  addOptions(replay, replayCommon, replayKeys);
  replay.addOption(new Option('--speed <factor>', 'replay speed relative to the recording (default 1; 2 = twice as fast)'));
  replay.addOption(new Option('--as-fast-as-possible', 'no waiting between frames'));
  replay.addHelpText('after', `\nExamples:\n  $ evtail tweetcatcher --token-file t --record tc.ndjson -n 100\n  $ evtail replay tc.ndjson --as-fast-as-possible -o ndjson | jq -c .type\n  $ evtail replay tc.ndjson --speed 10 --type 'twitter.post.*'\n`);
  replay.action(async (file: string) => {
    const { runReplayCommand } = await import('./commands/replay.js');
    const o = replay.opts();
    setCode(await runReplayCommand(file, typedValues(replay, replayKeys), o.speed as string | undefined, o.asFastAsPossible === true, io));
  });
  addNatsCommand(program, io, setCode);
  return program;
}

/** The option with its default in its help line, written the way the option takes it (45s, 17MiB). */
function withDefaultShown(spec: OptionSpec, value: unknown): OptionSpec {
  if (value === undefined || /\bdefault\b/i.test(spec.description)) return spec;
  const shown = spec.kind === 'duration' && typeof value === 'number' ? formatDuration(value) : spec.kind === 'size' && typeof value === 'number' ? formatSize(value) : Array.isArray(value) ? value.join(' ') : String(value);
  return { ...spec, description: `${spec.description} (default ${shown})` };
}

function addNatsCommand(program: Command, io: Io, setCode: (c: number) => void): void {
  const nats = program.command('nats').summary('NATS JetStream for --publish: create the stream to publish into');
  nats
    .command('init <nats-url>')
    .summary('create (or update) a JetStream stream for --publish, with a duplicate window')
    .description('Create the JetStream stream that --publish writes into (or update it), taking every subject the URL\'s subject template makes, with the duplicate window that makes two evtail instances on the same source publish each event once.')
    .option('--stream <name>', 'stream name (default EVTAIL)')
    .option('--subjects <subject...>', 'subjects the stream takes (default: from the URL template, e.g. events.*.>)')
    .option('--duplicate-window <duration>', 'how long JetStream remembers a Nats-Msg-Id (default 2m): longer than the worst gap between two instances')
    .option('--max-age <duration>', 'drop messages older than this (default: keep)')
    .option('--max-bytes <size>', 'keep at most this much (default: no limit)')
    .option('--memory', 'memory storage instead of file')
    .option('--replicas <n>', 'replicas in a JetStream cluster (default 1)')
    .option('--token <token>', 'token, if not in the URL')
    .option('--token-file <path>', 'read the token from this file')
    .option('--creds <file>', 'NATS credentials file (JWT and nkey seed)')
    .addHelpText('after', `\nExamples:\n  $ evtail nats init 'nats://127.0.0.1:4222/events.{provider}.{type}'\n  $ evtail nats init nats://127.0.0.1:4222/events.> --stream EVENTS --duplicate-window 10m --max-age 7d\n  $ evtail doshii --publish 'nats://127.0.0.1:4222/events.{provider}.{type}'\n`)
    .action(async (url: string, flags: Record<string, unknown>) => {
      const { runNatsInit } = await import('./commands/nats.js');
      setCode(await runNatsInit(url, flags, io));
    });
}
