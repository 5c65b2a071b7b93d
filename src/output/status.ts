/**
 * Status and warnings on stderr, never stdout. An ora spinner only when stderr is an interactive terminal
 * (loaded lazily, so pipes and --help never pay for it). Everything passes through the redactor, then the
 * terminal sanitiser: a close reason, a server's error text or a frame under -v cannot act on the terminal.
 */
import type { Reporter } from './session-status.js';
import type { Redactor } from '../redact.js';
import type { OutStream } from '../io.js';
import { sanitize } from './sanitize.js';

interface SpinnerLike {
  start(text?: string): unknown;
  stop(): unknown;
  succeed(text?: string): unknown;
  stopAndPersist(options: { symbol?: string; text?: string }): unknown;
  text: string;
  isSpinning: boolean;
}

export interface ReporterOptions {
  quiet: boolean;
  verbose: boolean;
  stderr: OutStream;
  redactor: Redactor;
  /** Use a spinner (interactive stderr). */
  spinner: boolean;
  /** Colour on stderr (the spinner and its tick): off with --no-color / NO_COLOR. */
  colour?: boolean;
  prefix?: string;
}

export class StatusReporter implements Reporter {
  private spinner: SpinnerLike | undefined;
  private spinnerLoading: Promise<void> | undefined;
  private readonly prefix: string;

  constructor(private readonly o: ReporterOptions) {
    this.prefix = o.prefix ?? 'evtail';
    // `2>&1 | head`: a closed stderr is no reason to stop tailing, and never a crash.
    o.stderr.on('error', () => {
      this.stderrGone = true;
    });
    // A terminal that reports no width (a pseudo-terminal nobody sized, as `script` from cron makes) would have ora
    // clear an endless number of lines: status goes out as plain lines there.
    if (o.spinner && !o.quiet && !o.verbose && (o.stderr.columns ?? 0) > 0) {
      this.spinnerLoading = import('ora')
        .then(({ default: ora }) => {
          this.spinner = ora({ stream: o.stderr as NodeJS.WriteStream /* a spinner only on a process stream: run.ts turns it off for a --stdin prompt */, discardStdin: false, color: o.colour === false ? false : 'cyan' }) as unknown as SpinnerLike;
        })
        .catch(() => undefined);
    }
  }

  /** Wait for the spinner module, so the first status line uses it. */
  async init(): Promise<void> {
    await this.spinnerLoading;
  }

  private stderrGone = false;

  private line(text: string): void {
    if (this.stderrGone) return;
    const wasSpinning = this.spinner?.isSpinning;
    if (wasSpinning) this.spinner!.stop();
    this.o.stderr.write(this.clean(text) + '\n');
    if (wasSpinning) this.spinner!.start();
  }

  status(message: string): void {
    if (this.o.quiet) return;
    if (this.spinner) {
      this.spinner.text = this.clean(message);
      if (!this.spinner.isSpinning) this.spinner.start();
      return;
    }
    this.line(`${this.prefix}: ${message}`);
  }

  ready(message: string): void {
    if (this.o.quiet) return;
    if (this.spinner) {
      const text = this.clean(message);
      // ora's own tick is always green: without colour, the same tick uncoloured.
      if (this.o.colour === false) this.spinner.stopAndPersist({ symbol: '✔', text });
      else this.spinner.succeed(text);
      return;
    }
    this.line(`${this.prefix}: ${message}`);
  }

  warn(message: string): void {
    if (this.o.quiet) return;
    this.line(`${this.prefix}: warning: ${message}`);
  }

  error(message: string, hint?: string): void {
    this.spinner?.stop();
    this.line(`${this.prefix}: error: ${message}`);
    if (hint) this.line(`${this.prefix}: hint: ${hint}`);
  }

  redact(text: string): string {
    return this.o.redactor.redact(text);
  }

  /** What reaches stderr: secrets out, control characters escaped (one message, one line). */
  private clean(text: string): string {
    return sanitize(this.o.redactor.redact(text));
  }

  secret(value: string): void {
    this.o.redactor.add(value);
  }

  debug(message: string): void {
    if (this.o.verbose) this.line(`${this.prefix}: ${message}`);
  }

  frame(dir: 'in' | 'out', text: string): void {
    if (!this.o.verbose) return;
    const clean = this.o.redactor.redact(text);
    const body = clean.length > 2000 ? `${clean.slice(0, 2000)}... (${text.length} chars)` : clean;
    this.line(`${this.prefix}: ${dir === 'in' ? '<' : '>'} ${body}`);
  }

  stop(): void {
    if (this.spinner?.isSpinning) this.spinner.stop();
  }
}
