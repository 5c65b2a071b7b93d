/**
 * The recipes of README.md and docs/: every command line in their shell blocks, and a way to run one as written
 * against the local mocks. `evtail` (and `npx evtail`) on PATH is a shim that runs bin/evtail.js with the
 * public endpoints of the recipe replaced by loopback mocks (the rewrite table) and, for a provider command that
 * names no endpoint, EVTAIL_URL set to that provider's mock. HOME holds the token files and a .tailrc with the
 * profiles the recipes name; alert, notify and mail are shell functions that note their call. A recipe that is one
 * evtail command runs in the test's process instead: bash still runs the line, and the shim hands back what it would
 * have started evtail with (runRecipe).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, ROOT, baseEnv, inProcess } from './evtail.js';

export interface Recipe {
  file: string;
  line: string;
}

/** Every command line of a shell block (backslash continuations joined, a cron schedule kept) naming evtail. */
export function recipesInDocs(): Recipe[] {
  const files = ['README.md'];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.md')) files.push(p);
    }
  };
  walk('docs');
  const out: Recipe[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/```(\w*)\n([\s\S]*?)```/g)) {
      const lang = m[1]!;
      if (!['sh', 'bash', 'yaml', ''].includes(lang)) continue;
      for (const raw of m[2]!.replace(/\s*\\\n\s*/g, ' ').split('\n')) {
        const line = raw.trim();
        if (!line || line.startsWith('#')) continue;
        if (!/(^|[|;&(\s])(npx )?evtail\s/.test(line)) continue;
        if (/[│┌└├─]/.test(line)) continue; // a box drawing, not a command
        if (lang === 'yaml' && !/^(npx )?evtail\s/.test(line)) continue; // a config line that mentions evtail in a comment
        if (/^(\$ )?evtail [\w-]+:/.test(line)) continue; // program output ("evtail benchmark: …"), not a command
        out.push({ file, line });
      }
    }
  }
  return out;
}

export interface Endpoints {
  /** provider name → its mock's URL (EVTAIL_URL when the recipe names no endpoint). */
  urls: Record<string, string>;
  /** literal text in a recipe → what replaces it (a public endpoint → a loopback mock). */
  rewrites: [string, string][];
  /** Taking precedence, for a recipe that names an older server generation (`--generation numeric`). */
  numericRewrites: [string, string][];
  /** Taking precedence, for a recipe about dead letters (`--forward-dead-letter`): a handler that refuses. */
  deadLetterRewrites: [string, string][];
}

export interface Shell {
  home: string;
  env: NodeJS.ProcessEnv;
  alerts: string;
}

/** HOME with token files and profiles, a bin dir with the evtail/npx shims. */
export function makeShell(dir: string, ep: Endpoints): Shell {
  const home = path.join(dir, 'home');
  const bin = path.join(dir, 'bin');
  for (const d of [home, bin, path.join(home, '.local/share/bash-completion/completions'), path.join(home, '.config/fish/completions'), path.join(home, 'zfunc')]) mkdirSync(d, { recursive: true });
  const files: Record<string, string> = {
    '.tweetcatcher-token': 'tc-token',
    '.doshii-client-id': 'demo-client-id',
    '.se-jwt': 'mytoken',
    '.se-overlay-key': 'mytoken',
    '.webinate-sid': 'SID=sid-alice',
    '.users-api-key': 'mock-socket-api-key',
    '.sc-jwt': 'not-a-real-jwt',
    '.evtail-hook-secret': 'hook-secret-123',
    t: 'tc-token',
    tok: 'tc-token',
    id: 'demo-client-id',
    key: 'mytoken',
  };
  for (const [f, v] of Object.entries(files)) writeFileSync(path.join(home, f), v + '\n', { mode: 0o600 });
  // `evtail replay session.ndjson`: a recording, as --record writes them
  writeFileSync(path.join(home, 'session.ndjson'), readFileSync(path.join(ROOT, 'fixtures/tweetcatcher/recording.ndjson')));
  writeFileSync(
    path.join(home, '.tailrc.yaml'),
    `profiles:\n  mytweets:\n    provider: tweetcatcher\n    token: \${TWEETCATCHER_TOKEN}\n    url: ${ep.urls.tweetcatcher}\n  se:\n    provider: streamelements\n    token: mytoken\n    url: ${ep.urls.streamelements}\n  venue-0001:\n    provider: doshii\n    clientId: demo-client-id\n    url: ${ep.urls.doshii}\n  tips:\n    provider: streamelements\n    token: mytoken\n    topic: [channel.tips]\n    url: ${ep.urls.streamelements}\n  tweets:\n    provider: tweetcatcher\n    token: tc-token\n    url: ${ep.urls.tweetcatcher}\n  venue-12:\n    provider: doshii\n    clientId: demo-client-id\n    deviceId: venue-12\n    url: ${ep.urls.doshii}\n  support:\n    provider: push\n    url: ${ep.urls.push}\n    channelUuid: 9f4c2b1e-7a3d-4e5f-8b6a-0c1d2e3f4a5b\n    hostApi: https://push.example.org\ngroups:\n  desk: [tips, tweets, venue-12]\n`,
    { mode: 0o600 },
  );
  const rewrites = path.join(dir, 'rewrites.tsv');
  writeFileSync(rewrites, ep.rewrites.map(([a, b]) => `${a}\t${b}`).join('\n') + '\n');
  writeFileSync(path.join(dir, 'rewrites-numeric.tsv'), [...ep.numericRewrites, ...ep.rewrites].map(([a, b]) => `${a}\t${b}`).join('\n') + '\n');
  writeFileSync(path.join(dir, 'rewrites-dead-letter.tsv'), [...ep.deadLetterRewrites, ...ep.rewrites].map(([a, b]) => `${a}\t${b}`).join('\n') + '\n');
  const urls = path.join(dir, 'urls');
  mkdirSync(urls, { recursive: true });
  for (const [p, u] of Object.entries(ep.urls)) writeFileSync(path.join(urls, p), u);
  writeFileSync(
    path.join(bin, 'evtail'),
    `#!/usr/bin/env bash
# evtail as installed, with the recipe's public endpoints pointed at loopback mocks.
args=()
cmd=''
table='${rewrites}'
prev=''
for a in "$@"; do
  [ "$prev" = --generation ] && [ "$a" = numeric ] && table='${path.join(dir, 'rewrites-numeric.tsv')}'
  [ "$a" = --forward-dead-letter ] && table='${path.join(dir, 'rewrites-dead-letter.tsv')}'
  prev="$a"
done
for a in "$@"; do
  while IFS=$'\\t' read -r from to; do [ -n "$from" ] && a="\${a//"$from"/$to}"; done < "$table"
  args+=("$a")
  if [ -z "$cmd" ] && [[ "$a" != -* ]]; then cmd="$a"; fi
done
has_url=''
for a in "\${args[@]}"; do [[ "$a" == --url || "$a" == --url=* ]] && has_url=1; done
if [ "$cmd" = mock ]; then
  # a fixed port (given, or the mock's default) may be taken on a test machine, by another recipe: any free one
  has_port=''
  for i in "\${!args[@]}"; do [ "\${args[$i]}" = --port ] && args[$((i + 1))]=0 && has_port=1; done
  [ -z "$has_port" ] && args+=(--port 0)
elif [ -z "$has_url" ] && [ -f '${urls}'/"$cmd" ] && [ -z "$EVTAIL_URL" ]; then
  proto=''
  for i in "\${!args[@]}"; do [ "\${args[$i]}" = --protocol ] && proto="\${args[$((i + 1))]}"; done
  if [ -n "$proto" ] && [ -f '${urls}'/"$cmd-$proto" ]; then export EVTAIL_URL="$(cat '${urls}'/"$cmd-$proto")"; else export EVTAIL_URL="$(cat '${urls}'/"$cmd")"; fi
fi
if [ -n "$RECIPE_CAPTURE" ]; then
  # runRecipe's in-process run: the directory, arguments and environment evtail would start with, NUL-separated
  { printf '%s\\0' "$PWD" "\${#args[@]}"; [ "\${#args[@]}" -gt 0 ] && printf '%s\\0' "\${args[@]}"; env -0; } > "$RECIPE_CAPTURE"
  exit 0
fi
exec '${process.execPath}' '${BIN}' "\${args[@]}"
`,
  );
  writeFileSync(path.join(bin, 'npx'), `#!/usr/bin/env bash\n[ "$1" = evtail ] && shift && exec evtail "$@"\necho "npx: only evtail here" >&2; exit 127\n`);
  // jq flushes each line at a terminal, where these recipes are typed; in a pipe it would hold them in a buffer
  // until it exits, and a Ctrl-C would lose them. --unbuffered is what it does at a terminal.
  writeFileSync(path.join(bin, 'jq'), `#!/usr/bin/env bash\nexec ${JSON.stringify(jqPath())} --unbuffered "$@"\n`);
  writeFileSync(path.join(bin, 'pass'), `#!/usr/bin/env bash\n# pass show <name>: the secret, as the password store would print it\necho tc-token\n`);
  for (const f of ['evtail', 'npx', 'pass', 'jq']) chmodSync(path.join(bin, f), 0o755);
  const alerts = path.join(dir, 'alerts.txt');
  writeFileSync(alerts, '');
  const env = baseEnv({
    HOME: home,
    PATH: `${bin}:${process.env.PATH}`,
    UUID: '9f4c2b1e-7a3d-4e5f-8b6a-0c1d2e3f4a5b',
    API: 'https://push.example.org',
    API_TOKEN: 'api-token-123',
    TOKEN: 'api-token-123',
    TWEETCATCHER_TOKEN: 'tc-token',
    DOSHII_CLIENT_ID: 'demo-client-id',
    RECIPE_ALERTS: alerts,
  });
  delete env.CI;
  return { home, env, alerts };
}

function jqPath(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    try {
      const p = path.join(dir, 'jq');
      statSync(p);
      return p;
    } catch {
      /* not here */
    }
  }
  return '/usr/bin/jq';
}

/** Shell functions the recipes call (alert, notify, mail) and cron's `*\/15 * * * *` prefix taken off. */
export function shellLine(line: string): string {
  const cron = /^(\S+\s+){5}(?=\S*evtail|EVTAIL_|\S+=)/.exec(line);
  const cmd = cron && /^[*\d/,-]+$/.test(line.split(/\s+/)[0]!) ? line.slice(cron[0].length) : line.replace(/^\$ /, '');
  return `alert() { echo "alert: $*" >> "$RECIPE_ALERTS"; }; notify() { alert "$@"; }; mail() { cat >> "$RECIPE_ALERTS"; }
cd "$HOME"
${cmd}`;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Stopped by us (SIGINT) after `stopAfterLines` lines: a recipe that tails until Ctrl-C. */
  interrupted: boolean;
}

export interface RunRecipeOptions {
  stopAfterLines?: number;
  stopWhen?: (out: string, err: string) => boolean;
  stdin?: string;
  timeoutMs?: number;
}

/** The command of a line as bash runs it: the cron schedule and a `$ ` prompt taken off. */
function commandLine(line: string): string {
  return shellLine(line).slice(shellLine('').length);
}

/**
 * The line with every quoted or escaped character replaced by `Q`, the same length: what is left is the shell's own
 * syntax (pipes, redirections, a trailing comment). undefined when a quote does not close.
 */
export function maskQuotes(cmd: string): string | undefined {
  let out = '';
  let quote = '';
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i]!;
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"' && i + 1 < cmd.length) {
        out += 'Q';
        i++;
      }
      out += 'Q';
    } else if (c === "'" || c === '"') {
      quote = c;
      out += 'Q';
    } else if (c === '\\' && i + 1 < cmd.length) {
      out += 'QQ';
      i++;
    } else out += c;
  }
  return quote ? undefined : out;
}

/**
 * One simple command that runs evtail (after any VAR=value words): no pipe, redirection, list, background job,
 * subshell or command substitution. Such a recipe runs in-process (runRecipe); anything else is a shell pipeline.
 */
export function isOneEvtailCommand(line: string): boolean {
  const cmd = commandLine(line);
  if (cmd.includes('\n') || /\$\(|`/.test(cmd)) return false;
  const bare = maskQuotes(cmd)?.replace(/\s+#.*$/, '');
  return bare !== undefined && !/[|&;<>()]/.test(bare) && /^([A-Za-z_]\w*=\S*\s+)*(npx\s+)?evtail(\s|$)/.test(bare);
}

interface Captured {
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/**
 * What evtail would be started with for this line: bash runs it as written (its quoting, expansions, `~`, VAR=value
 * words), and the evtail shim, told to by RECIPE_CAPTURE, writes down its directory, arguments (endpoints rewritten)
 * and environment instead of starting node. undefined if evtail was never reached.
 */
async function capture(line: string, shell: Shell): Promise<Captured | undefined> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'evtail-recipe-')), 'argv');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('bash', ['-c', shellLine(line)], { env: { ...shell.env, RECIPE_CAPTURE: file }, cwd: shell.home, stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', () => resolve());
    });
    let fields: string[];
    try {
      fields = readFileSync(file, 'utf8').split('\0');
    } catch {
      return undefined;
    }
    const [cwd, n] = fields;
    const count = Number(n);
    const args = fields.slice(2, 2 + count);
    const env: NodeJS.ProcessEnv = {};
    for (const kv of fields.slice(2 + count)) {
      const eq = kv.indexOf('=');
      if (eq > 0 && kv.slice(0, eq) !== 'RECIPE_CAPTURE') env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    return { args, env, cwd: cwd! };
  } finally {
    rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/**
 * Run a recipe as written. One evtail command runs in this process (its arguments and environment as bash gives
 * them: see capture), a pipeline in bash. Either way a tail that never ends by itself gets one Ctrl-C (SIGINT) once
 * it printed enough.
 */
export async function runRecipe(line: string, shell: Shell, opts: RunRecipeOptions): Promise<RunResult> {
  if (!isOneEvtailCommand(line)) return runInBash(line, shell, opts);
  const started = Date.now();
  const c = await capture(line, shell);
  if (!c) return runInBash(line, shell, opts);
  const p = inProcess(c.args, { env: c.env, cwd: c.cwd, stdin: opts.stdin });
  let interrupted = false;
  if (opts.stopAfterLines !== undefined || opts.stopWhen) {
    const stopNow = () => (opts.stopAfterLines !== undefined && p.lineCount >= opts.stopAfterLines) || Boolean(opts.stopWhen?.(p.stdout, p.stderr));
    p.waitFor(() => stopNow() && (interrupted = p.interrupt()), 'enough output to stop it', opts.timeoutMs ?? 25_000).catch(() => undefined);
  }
  const r = await p.exit(opts.timeoutMs ?? 25_000);
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started, interrupted };
}

/** Run a recipe in bash; a tail that never ends by itself gets Ctrl-C (SIGINT to its process group) once it printed enough. */
function runInBash(line: string, shell: Shell, opts: RunRecipeOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', shellLine(line)], { env: shell.env, cwd: shell.home, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const stop = () => {
      if (interrupted || child.exitCode !== null) return;
      interrupted = true;
      try {
        process.kill(-child.pid!, 'SIGINT');
      } catch {
        /* gone */
      }
    };
    const check = () => {
      const lines = stdout.split('\n').filter(Boolean).length;
      if ((opts.stopAfterLines !== undefined && lines >= opts.stopAfterLines) || opts.stopWhen?.(stdout, stderr)) stop();
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      check();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      check();
    });
    child.stdin.on('error', () => undefined);
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      reject(new Error(`recipe did not finish within ${opts.timeoutMs ?? 25_000} ms: ${line}\n--- stdout:\n${stdout.slice(-1500)}\n--- stderr:\n${stderr.slice(-1500)}`));
    }, opts.timeoutMs ?? 25_000);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      // As the shell's $? says it: a pipeline whose last member (jq) died of our Ctrl-C makes bash end by the same
      // signal (no exit code); that is status 128+n, what a person at the terminal sees after ^C.
      const code = exitCode ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : null);
      // a pipeline's other members, if any are left
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* all gone */
      }
      resolve({ code, stdout, stderr, ms: Date.now() - started, interrupted });
    });
  });
}
