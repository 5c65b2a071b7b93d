#!/usr/bin/env node
// Thin launcher: check the Node version, run the CLI, turn its result into the process exit code.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`evtail: needs Node.js >= 20.19 (this is ${process.versions.node})\n`);
  process.exit(2);
}
const args = process.argv.slice(2);
// A reader of stderr that goes away (`2>&1 | head`) must not turn into a crash.
process.stderr.on('error', () => undefined);
let main;
try {
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
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
