#!/usr/bin/env node
// Thin launcher: check the Node version, run the CLI, turn its result into the process exit code.
import { readFileSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`evtail: needs Node.js >= 20.19 (this is ${process.versions.node})\n`);
  process.exit(2);
}
const args = process.argv.slice(2);

/**
 * The help text the CLI would print for these arguments, from dist/help/ (scripts/help-snapshot.mjs), or undefined when the snapshot does not
 * apply: only `[command [subcommand]] --help|-h` and `help [command]`, and only when stdout is what the texts were
 * rendered for (not a terminal, or a terminal of exactly that width: commander wraps to the terminal's columns).
 * The texts hold no escape codes, so colour settings do not change them; no config or environment is read for help.
 */
function helpSnapshot(argv) {
  const last = argv[argv.length - 1];
  if (argv.length === 0 || argv.length > 3 || (last !== '--help' && last !== '-h' && argv[0] !== 'help')) return undefined;
  if (argv.some((a) => a.includes(' '))) return undefined; // the keys are the arguments joined by spaces
  try {
    const index = JSON.parse(readFileSync(new URL('../dist/help/index.json', import.meta.url), 'utf8'));
    const key = argv.join(' ');
    if (!Object.hasOwn(index.argv, key)) return undefined;
    if (process.stdout.isTTY && process.stdout.columns !== index.width) return undefined;
    return readFileSync(new URL(`../dist/help/${index.argv[key]}.txt`, import.meta.url), 'utf8');
  } catch {
    return undefined; // no snapshot (an older build): the CLI renders the help
  }
}
// A reader of stderr that goes away (`2>&1 | head`) must not turn into a crash.
process.stderr.on('error', () => undefined);
let main;
try {
  const help = helpSnapshot(args);
  if (help !== undefined) {
    // `--help` of any command: printed from the snapshot the build rendered (scripts/help-snapshot.mjs), not the CLI.
    process.stdout.on('error', () => undefined);
    main = () => new Promise((resolve) => process.stdout.write(help, () => resolve(0)));
  } else if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    // Only package.json is needed: skip loading the CLI (commander, every provider's options), for scripts and CI.
    const { version } = await import('../dist/version.js');
    process.stdout.on('error', () => undefined); // EPIPE (`| head -c 0`) is a clean exit
    main = () => new Promise((resolve) => process.stdout.write(`${version()}\n`, () => resolve(0)));
  } else {
    ({ main } = await import('../dist/cli.js'));
  }
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist')) {
    process.stderr.write('evtail: the build is missing (dist/): in a clone of the source, run `npm run build` (an installed package ships it).\n');
    process.exit(1);
  }
  throw err;
}
const code = await main(args);
process.exitCode = code;
// stdout is flushed before main() resolves; once stderr is too, exit now rather than wait on sockets that are closing.
if (process.stderr.writableLength === 0) process.exit(code);
process.stderr.write('', () => process.exit(code));
