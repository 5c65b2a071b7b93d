/**
 * Spawn bin/evtail.js and wait on what it prints, with bounds: no fixed sleeps anywhere.
 */
import { spawn, type ChildProcess, type ChildProcessByStdio, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/evtail.js');

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdin?: string;
  /** Keep stdin open (for --stdin tests); write with proc.child.stdin. */
  keepStdinOpen?: boolean;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  lines: string[];
}

/** A clean environment: no CI spinner logic, no colour, no inherited EVTAIL_* settings. */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const drop = /^(EVTAIL_.*|FORCE_COLOR|NO_COLOR|(https?|all|no)_proxy)$/i;
  for (const [k, v] of Object.entries(process.env)) if (!drop.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export class EvtailProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private waiters: (() => void)[] = [];

  constructor(args: string[], options: RunOptions = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? baseEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => {
      this.stdout += d;
      this.notify();
    });
    this.child.stderr.on('data', (d: string) => {
      this.stderr += d;
      this.notify();
    });
    this.child.stdin.on('error', () => undefined);
    if (options.stdin !== undefined) this.child.stdin.end(options.stdin);
    else if (!options.keepStdinOpen) this.child.stdin.end();
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.notify();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr, lines: this.lines });
      });
    });
  }

  get lines(): string[] {
    return this.stdout.split('\n').filter((l) => l.length > 0);
  }

  get events(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolve when predicate() holds; reject after timeoutMs with what was seen. */
  waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- stdout:\n${this.stdout.slice(-2000)}\n--- stderr:\n${this.stderr.slice(-2000)}`)), timeoutMs);
      const check = () => {
        if (predicate()) {
          clearTimeout(timer);
          resolve();
        } else if (this.child.exitCode !== null && this.child.stdout.readableEnded && this.child.stderr.readableEnded) {
          clearTimeout(timer);
          reject(new Error(`evtail exited (${this.child.exitCode}) before ${what}\n--- stdout:\n${this.stdout.slice(-2000)}\n--- stderr:\n${this.stderr.slice(-2000)}`));
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  waitForLines(n: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.lines.length >= n, `${n} stdout lines`, timeoutMs);
  }

  waitForStderr(re: RegExp, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => re.test(this.stderr), `stderr matching ${re}`, timeoutMs);
  }

  /** Wait for exit, bounded: a hung evtail fails the test instead of hanging it. */
  async exit(timeoutMs = 15_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`evtail did not exit within ${timeoutMs} ms\n--- stdout:\n${this.stdout.slice(-2000)}\n--- stderr:\n${this.stderr.slice(-2000)}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal);
  }
}

export function evtail(args: string[], options?: RunOptions): EvtailProcess {
  return new EvtailProcess(args, options);
}

/** Run to completion. */
export function runEvtail(args: string[], options?: RunOptions & { timeoutMs?: number }): Promise<Exit> {
  return new EvtailProcess(args, options).exit(options?.timeoutMs);
}

/** Resolve when emitter-like cond holds, polling on an event; bounded. */
export function until(predicate: () => boolean, what: string, timeoutMs = 10_000, pollMs = 10): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(tick, pollMs);
    };
    tick();
  });
}

/**
 * Every process a test file starts, so a failed test does not leave one running: evtail processes, and shell
 * pipelines in their own process group (so the whole pipeline can be ended). Call cleanup() in afterEach.
 */
export function processJanitor() {
  const children: ChildProcess[] = [];
  const groups: ChildProcess[] = [];
  return {
    evtail(args: string[], options?: RunOptions): EvtailProcess {
      const p = new EvtailProcess(args, options);
      children.push(p.child);
      return p;
    },
    spawn(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): ChildProcessByStdio<null, Readable, Readable> {
      const c = spawn(cmd, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      groups.push(c);
      return c;
    },
    cleanup(): void {
      for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      for (const g of groups.splice(0)) {
        if (g.exitCode !== null || g.signalCode !== null || !g.pid) continue;
        try {
          process.kill(-g.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}
