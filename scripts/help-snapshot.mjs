#!/usr/bin/env node
/**
 * Build step (`npm run build`, after tsc): render `evtail --help` and the `--help`/`-h` of every command and
 * subcommand, and `evtail help [command]`, into dist/help/ (index.json: invocation → text number; <n>.txt: the texts). bin/evtail.js prints from it without loading the
 * CLI (commander and every provider's options), so `evtail --help` starts about as fast as `node -e 0`.
 *
 * The texts are what dist/cli.js prints when stdout is not a terminal: commander then wraps help to 80 columns.
 * They are rendered in a child process whose stdout is a pipe (the build may run at a terminal of any width), with
 * the real main() and a collecting Io. The launcher uses a text only where it applies (stdout not a terminal, or a
 * terminal of 80 columns); test/e2e/help-snapshot.test.ts checks every text against the CLI, so it cannot go stale.
 *
 * Commands are found the way a user finds them: the "Commands:" list of each help text, recursively.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SNAPSHOT_DIR = path.join(ROOT, 'dist/help');

/** The subcommands a help text lists under "Commands:" (the implicit `help [command]` left out). */
export function listedCommands(text) {
  const at = text.indexOf('\nCommands:\n');
  if (at < 0) return [];
  const names = [];
  for (const line of text.slice(at + '\nCommands:\n'.length).split('\n')) {
    if (line === '') break;
    const m = /^ {2}([a-z][a-z0-9-]*)(?: |$)/.exec(line);
    if (m && m[1] !== 'help') names.push(m[1]);
  }
  return names;
}

/** In the child: render every help invocation with the real CLI; print {argv joined by spaces: text}. */
async function render() {
  const { main } = await import(pathToFileURL(path.join(ROOT, 'dist/cli.js')).href);
  const run = async (argv) => {
    let out = '';
    let err = '';
    const sink = (append) => ({ write: (s, ...rest) => (append(String(s)), rest.find((x) => typeof x === 'function')?.(), true) });
    const io = { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), stdin: undefined, env: process.env, cwd: ROOT };
    const code = await main(argv, io);
    if (code !== 0 || err !== '' || out === '') throw new Error(`evtail ${argv.join(' ')}: exit ${code}, stderr ${JSON.stringify(err)}`);
    // A text with escape codes would depend on colour settings (NO_COLOR, FORCE_COLOR, a terminal): no snapshot.
    if (out.includes('\x1b')) throw new Error(`evtail ${argv.join(' ')}: help holds escape codes; the snapshot assumes plain text`);
    return out;
  };
  const texts = {};
  const visit = async (cmdPath) => {
    const text = await run([...cmdPath, '--help']);
    texts[[...cmdPath, '--help'].join(' ')] = text;
    texts[[...cmdPath, '-h'].join(' ')] = await run([...cmdPath, '-h']);
    if (cmdPath.length <= 1) texts[['help', ...cmdPath].join(' ')] = await run(['help', ...cmdPath]);
    for (const sub of listedCommands(text)) await visit([...cmdPath, sub]);
  };
  await visit([]);
  process.stdout.write(JSON.stringify(texts));
}

if (process.argv[2] === '--render') {
  await render();
} else if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(EVTAIL_.*|FORCE_COLOR|NO_COLOR|CLICOLOR_FORCE|NODE_OPTIONS)$/i.test(k)) delete env[k];
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--render'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    process.stderr.write(`help-snapshot: rendering the help texts failed (exit ${r.status})\n`);
    process.exit(1);
  }
  // Dedupe: most texts appear under several invocations (--help, -h, help <command>).
  const byArgv = JSON.parse(r.stdout);
  const texts = [];
  const index = new Map();
  const argv = {};
  for (const [key, text] of Object.entries(byArgv)) {
    if (!index.has(text)) index.set(text, texts.push(text) - 1);
    argv[key] = index.get(text);
  }
  // One small index and a file per text: the launcher reads the index and the one text it prints.
  rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
  mkdirSync(SNAPSHOT_DIR, { recursive: true });
  texts.forEach((text, i) => writeFileSync(path.join(SNAPSHOT_DIR, `${i}.txt`), text));
  writeFileSync(path.join(SNAPSHOT_DIR, 'index.json'), JSON.stringify({ width: 80, argv }));
  process.stderr.write(`help-snapshot: ${Object.keys(argv).length} help invocations, ${texts.length} texts → dist/help/\n`);
}
