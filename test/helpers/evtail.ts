/**
 * Run evtail and wait on what it prints, with bounds: no fixed sleeps anywhere. `evtail`/`runEvtail` spawn
 * bin/evtail.js (the real process: signals, exit status, pipes, start-up); `inProcess`/`runInProcess` call the same
 * CLI's main() in this process with captured streams, for tests where a real process exit is not the point.
 */
import { spawn, type ChildProcess, type ChildProcessByStdio, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Io } from '../../src/io.js';

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

/** What a test sees of one evtail run, spawned or in-process: its output so far, bounded waits, its end. */
abstract class EvtailRun {
  stdout = '';
  stderr = '';
  abstract readonly exited: Promise<Exit>;
  private waiters: (() => void)[] = [];
  // The whole lines of stdout so far, split once each: a waitFor predicate reads `lines` or `events` on every chunk,
  // and re-splitting (or re-parsing) all of stdout each time is quadratic in a flood.
  private whole: string[] = [];
  private parsed: Record<string, unknown>[] = [];
  private scanned = 0;

  /** stdout's lines so far, empty ones left out; the last one even if its newline has not come yet. */
  get lines(): string[] {
    this.scan();
    const rest = this.stdout.slice(this.scanned);
    return rest.length > 0 ? [...this.whole, rest] : this.whole.slice();
  }

  /** How many lines `lines` would give, without copying them. */
  get lineCount(): number {
    this.scan();
    return this.whole.length + (this.scanned < this.stdout.length ? 1 : 0);
  }

  /** `lines`, each parsed as JSON (a line is parsed once, however often this is read). */
  get events(): Record<string, unknown>[] {
    this.scan();
    while (this.parsed.length < this.whole.length) this.parsed.push(JSON.parse(this.whole[this.parsed.length]!) as Record<string, unknown>);
    const rest = this.stdout.slice(this.scanned);
    return rest.length > 0 ? [...this.parsed, JSON.parse(rest) as Record<string, unknown>] : this.parsed.slice();
  }

  private scan(): void {
    const end = this.stdout.lastIndexOf('\n');
    if (end < this.scanned) return;
    for (const l of this.stdout.slice(this.scanned, end).split('\n')) if (l.length > 0) this.whole.push(l);
    this.scanned = end + 1;
  }

  /** The run is over and everything it printed has been taken in. */
  protected abstract get done(): boolean;
  protected abstract get exitCode(): number | null;
  /** Called when exit() gives up: make sure the run does not go on. */
  protected abstract forceStop(): void;
  abstract kill(signal?: NodeJS.Signals): void;

  protected notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  protected seen(): string {
    return `\n--- stdout:\n${this.stdout.slice(-2000)}\n--- stderr:\n${this.stderr.slice(-2000)}`;
  }

  /** Resolve when predicate() holds; reject after timeoutMs with what was seen. */
  waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${this.seen()}`)), timeoutMs);
      const check = () => {
        if (predicate()) {
          clearTimeout(timer);
          resolve();
        } else if (this.done) {
          clearTimeout(timer);
          reject(new Error(`evtail exited (${this.exitCode}) before ${what}${this.seen()}`));
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  waitForLines(n: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.lineCount >= n, `${n} stdout lines`, timeoutMs);
  }

  waitForStderr(re: RegExp, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => re.test(this.stderr), `stderr matching ${re}`, timeoutMs);
  }

  /** Wait for exit, bounded: a hung evtail fails the test instead of hanging it. */
  async exit(timeoutMs = 15_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.forceStop();
        reject(new Error(`evtail did not exit within ${timeoutMs} ms${this.seen()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, bound]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** bin/evtail.js in a child process: for tests whose point is the process (signals, exit status, pipes, start-up). */
export class EvtailProcess extends EvtailRun {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<Exit>;

  /** Its stdin (keepStdinOpen: write lines, end it). */
  get input(): Writable {
    return this.child.stdin;
  }

  constructor(args: string[], options: RunOptions = {}) {
    super();
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

  protected get done(): boolean {
    return this.child.exitCode !== null && this.child.stdout.readableEnded && this.child.stderr.readableEnded;
  }

  protected get exitCode(): number | null {
    return this.child.exitCode;
  }

  protected forceStop(): void {
    this.child.kill('SIGKILL');
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child.kill(signal);
  }
}

/** A captured output stream of an in-process run: not a terminal, takes every write at once. */
class Capture extends Writable {
  private readonly decoder = new StringDecoder('utf8');
  constructor(private readonly take: (text: string) => void) {
    super({ decodeStrings: true });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    // Decoded now: the CLI may reuse the buffer it wrote (stdout's coalescing pool) once the write completes.
    this.take(this.decoder.write(chunk));
    done();
  }
}

/**
 * The CLI's main() (dist/cli.js, as bin/evtail.js runs it) in this process, with captured stdout and stderr, the
 * given environment and directory, and its own signal source: kill('SIGTERM') delivers SIGTERM to this run alone,
 * through the same handler a real signal reaches. For tests where a real process exit is not the point; it costs no
 * process start-up. SIGKILL has no in-process meaning: a test that needs it spawns. `cwd` is the run's io.cwd: the
 * config search and every relative file path (--config, --record x, --token-file x, replay's file) start there, as
 * they would in a process started in that directory. The run shares the event loop
 * with the test's mock: where a mock's send and evtail's own cut of the link (a watchdog) may fall in one turn of
 * the loop, and the test allows no event lost at that cut, spawn (two processes, like a real server).
 */
export class EvtailInProcess extends EvtailRun {
  readonly exited: Promise<Exit>;
  /** Its stdin (keepStdinOpen: write lines, end it). */
  readonly input = new PassThrough();
  private code: number | null = null;
  private readonly signals = new EventEmitter();

  constructor(args: string[], options: RunOptions = {}) {
    super();
    const stdout = Object.assign(new Capture((t) => {
      this.stdout += t;
      this.notify();
    }), { isTTY: false });
    const stderr = Object.assign(new Capture((t) => {
      this.stderr += t;
      this.notify();
    }), { isTTY: false });
    const stdin = this.input;
    if (options.stdin !== undefined) stdin.end(options.stdin);
    else if (!options.keepStdinOpen) stdin.end();
    const io = {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      env: options.env ?? baseEnv(),
      cwd: options.cwd ?? ROOT,
      signals: this.signals,
    };
    this.exited = loadMain()
      .then((main) => main(args, io))
      .then((code) => {
        if (this.signals.listenerCount('SIGINT') + this.signals.listenerCount('SIGTERM') + this.signals.listenerCount('SIGHUP') > 0) {
          throw new Error(`evtail ${args.join(' ')}: the run ended with its signal handlers still installed`);
        }
        this.code = code;
        this.notify();
        return { code, signal: null, stdout: this.stdout, stderr: this.stderr, lines: this.lines };
      });
    // A run that throws is a failed test, not an unhandled rejection; exit() and waitFor() see it.
    this.exited.catch(() => {
      this.code = -1;
      this.notify();
    });
  }

  protected get done(): boolean {
    return this.code !== null;
  }

  protected get exitCode(): number | null {
    return this.code;
  }

  protected forceStop(): void {
    this.stop();
  }

  /** Ctrl-C twice, unless it has ended: stop reading, and stop waiting on sinks at once (what a user does when evtail hangs). */
  stop(): void {
    if (this.code !== null) return;
    this.signals.emit('SIGINT', 'SIGINT');
    this.signals.emit('SIGINT', 'SIGINT');
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (!['SIGINT', 'SIGTERM', 'SIGHUP'].includes(signal)) throw new Error(`${signal} has no in-process meaning: spawn for it (evtail())`);
    this.signals.emit(signal, signal);
  }

  /** One Ctrl-C (SIGINT), unless the run has ended; true if it was sent. */
  interrupt(): boolean {
    if (this.code !== null) return false;
    this.signals.emit('SIGINT', 'SIGINT');
    return true;
  }
}

let mainPromise: Promise<(argv: string[], io: Io) => Promise<number>> | undefined;
/** dist/cli.js, built by `npm test` (`npm run build` first when running jest alone), loaded once per test file. */
function loadMain(): Promise<(argv: string[], io: Io) => Promise<number>> {
  mainPromise ??= import(pathToFileURL(path.join(ROOT, 'dist/cli.js')).href).then((m: { main: (argv: string[], io: Io) => Promise<number> }) => m.main);
  return mainPromise;
}

/** One evtail run in this process (see EvtailInProcess). */
export function inProcess(args: string[], options?: RunOptions): EvtailInProcess {
  return new EvtailInProcess(args, options);
}

/** Run in this process to completion. */
export function runInProcess(args: string[], options?: RunOptions & { timeoutMs?: number }): Promise<Exit> {
  return new EvtailInProcess(args, options).exit(options?.timeoutMs);
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
 * Every process a test file starts, so a failed test does not leave one running: evtail processes, in-process runs,
 * and shell pipelines in their own process group (so the whole pipeline can be ended). Call cleanup() in afterEach.
 */
export function processJanitor() {
  const children: ChildProcess[] = [];
  const groups: ChildProcess[] = [];
  const runs: EvtailInProcess[] = [];
  return {
    evtail(args: string[], options?: RunOptions): EvtailProcess {
      const p = new EvtailProcess(args, options);
      children.push(p.child);
      return p;
    },
    /** In this process (see EvtailInProcess); cleanup() stops it as a second Ctrl-C would. */
    inProcess(args: string[], options?: RunOptions): EvtailInProcess {
      const p = new EvtailInProcess(args, options);
      runs.push(p);
      return p;
    },
    spawn(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): ChildProcessByStdio<null, Readable, Readable> {
      const c = spawn(cmd, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      groups.push(c);
      return c;
    },
    cleanup(): void {
      for (const r of runs.splice(0)) r.stop();
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
