/**
 * An interactive chat line at a terminal (`push --stdin`, `ws --stdin`): a readline prompt at the bottom that keeps
 * what is being typed intact. Nothing is patched: run.ts hands evtail's writers (the stdout sink, the status
 * reporter) this area's streams (`writer()`); while the prompt is open, each of their writes clears the prompt line,
 * goes to the terminal, and the prompt with the typed text is drawn again below it. Used only when stdin and stderr
 * are terminals; in a pipe, lines are read plainly (providers/chat-outbox.ts).
 */
import readline from 'node:readline';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { LineInput } from '../types.js';
import type { OutStream } from '../io.js';

/** The bottom line of a terminal, shared by a --stdin prompt and evtail's own writers. */
export class PromptArea {
  private rl: readline.Interface | undefined;
  private readonly readers = new Set<{ onLine: (line: string) => void; onEnd: () => void }>();

  /** `terminal`: where the prompt is drawn (stderr). */
  constructor(
    private readonly terminal: NodeJS.WriteStream,
    private readonly prompt = '> ',
  ) {}

  /** `stream` (stdout or stderr, on this terminal) as evtail's writers use it while a prompt may be open. */
  writer(stream: OutStream): PromptAwareStream {
    return new PromptAwareStream(stream, this);
  }

  /** The lines typed at the prompt on `input`: the prompt opens at the first read and closes with the last reader. */
  lines(input: Readable): LineInput {
    return {
      read: (onLine, onEnd) => {
        const reader = { onLine, onEnd };
        this.readers.add(reader);
        this.open(input);
        return {
          close: () => {
            if (!this.readers.delete(reader) || this.readers.size > 0) return;
            this.close();
          },
        };
      },
    };
  }

  /** Runs one write of evtail's: above the prompt when one is open. */
  around<T>(write: () => T): T {
    const rl = this.rl;
    if (!rl) return write();
    readline.cursorTo(this.terminal, 0);
    readline.clearLine(this.terminal, 0);
    const result = write();
    rl.prompt(true);
    return result;
  }

  private open(input: Readable): void {
    if (this.rl) return;
    const rl = readline.createInterface({ input, output: this.terminal, terminal: true, prompt: this.prompt, historySize: 100 });
    this.rl = rl;
    rl.on('line', (line) => {
      if (line.trim() !== '') for (const r of this.readers) r.onLine(line);
      if (this.rl === rl) rl.prompt();
    });
    rl.on('close', () => {
      if (this.rl === rl) this.rl = undefined;
      for (const r of [...this.readers]) r.onEnd();
    });
    // Ctrl-C at the prompt: readline takes the terminal out of signal mode, so pass it on as the signal it means.
    rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
    rl.prompt();
  }

  private close(): void {
    const rl = this.rl;
    if (!rl) return;
    this.rl = undefined;
    readline.cursorTo(this.terminal, 0);
    readline.clearLine(this.terminal, 0);
    rl.close();
  }
}

/**
 * A terminal stream seen through a PromptArea: each write goes to the terminal stream at once, above the prompt.
 * Nothing is buffered here: backpressure (writableNeedDrain, 'drain') and errors (EPIPE) are the stream's own.
 */
export class PromptAwareStream extends EventEmitter implements OutStream {
  constructor(
    private readonly target: OutStream,
    private readonly area: PromptArea,
  ) {
    super();
    target.on('error', (err: Error) => this.emit('error', err));
    target.on('drain', () => this.emit('drain'));
  }

  write(chunk: string | Uint8Array, cb?: (err?: Error | null) => void): boolean {
    return this.area.around(() => this.target.write(chunk, cb));
  }

  get writableNeedDrain(): boolean | undefined {
    return this.target.writableNeedDrain;
  }

  get writableLength(): number | undefined {
    return this.target.writableLength;
  }

  get isTTY(): boolean | undefined {
    return this.target.isTTY;
  }

  get columns(): number | undefined {
    return this.target.columns;
  }
}
