/** Run evtail at a real pseudo-terminal (util-linux `script`), stdout and stderr both on it, as a person would. */
import { spawn } from 'node:child_process';
import { baseEnv, BIN, ROOT } from '../helpers/evtail.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TerminalRun {
  code: number | null;
  /** Everything the terminal received, with the terminal's own `\r\n` line ends turned into `\n`. */
  screen: string;
}

/** `script -qfec "<cmd>" /dev/null`: the command's stdio is a pty; script copies what the pty shows to its stdout. */
export function atTerminal(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<TerminalRun> {
  const cmd = [process.execPath, BIN, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, env: options.env ?? baseEnv({ CI: '1', TERM: 'xterm-256color' }), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (out += d));
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`evtail at a terminal did not exit within ${options.timeoutMs ?? 15_000} ms; the screen so far:\n${out.slice(-2000)}`));
    }, options.timeoutMs ?? 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen: out.replace(/\r\n/g, '\n') });
    });
  });
}
