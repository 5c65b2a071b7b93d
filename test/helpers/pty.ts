/**
 * Run a command at a real pseudo-terminal: util-linux `script -qfec "<cmd>" /dev/null` gives the child a terminal
 * (stdin, stdout and stderr all on it) and copies everything it shows to our pipe, as a terminal would receive it.
 * Keys are typed by writing to script's stdin. Bounded waits only.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BIN, baseEnv } from './evtail.js';

export class Pty {
  readonly child: ChildProcessWithoutNullStreams;
  out = '';
  readonly exited: Promise<number | null>;
  private waiters: (() => void)[] = [];

  /** `evtail <args>` at a terminal of `cols` columns, with `env` on top of a clean environment (no CI). */
  constructor(args: string[], opts: { cols?: number; env?: NodeJS.ProcessEnv } = {}) {
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    // cols 0: a pseudo-terminal that reports no size (what `script` makes when nothing sized it, e.g. from cron).
    const cmd = `stty cols ${opts.cols ?? 100} rows ${opts.cols === 0 ? 0 : 30}; exec ${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')}`;
    const env = baseEnv({ TERM: 'xterm-256color', ...opts.env });
    delete env.CI;
    this.child = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => {
      this.out += d;
      this.notify();
    });
    this.child.stderr.resume();
    this.exited = new Promise((resolve) => this.child.on('close', (code) => {
      this.notify();
      resolve(code);
    }));
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  waitFor(test: (out: string) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; the terminal showed:\n${JSON.stringify(this.out.slice(-3000))}`)), timeoutMs);
      const check = () => {
        if (test(this.out)) {
          clearTimeout(timer);
          resolve();
        } else if (this.child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`exited (${this.child.exitCode}) before ${what}; the terminal showed:\n${JSON.stringify(this.out.slice(-3000))}`));
        } else this.waiters.push(check);
      };
      check();
    });
  }

  type(keys: string): void {
    this.child.stdin.write(keys);
  }

  async exit(timeoutMs = 15_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`did not exit within ${timeoutMs} ms; the terminal showed:\n${JSON.stringify(this.out.slice(-3000))}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * What a person sees, line by line: each line as last drawn (a carriage return or a move to column 1 starts it
 * again), colours and other cursor moves removed.
 */
export function screenLines(out: string): string[] {
  // eslint-disable-next-line no-control-regex
  const plain = out.replace(/\u001b\[1?G/g, '\r').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
  return plain.split('\n').map((l) => l.replace(/\r$/, '').split('\r').at(-1)!);
}

// eslint-disable-next-line no-control-regex
export const SGR = /\u001b\[[0-9;]*m/;

/** The line the cursor is on, as drawn. */
export const lastLine = (out: string): string => screenLines(out).at(-1) ?? '';
