/**
 * What a chat sends (both Push protocols, and ws --stdin): --send once, then each line of --stdin. Lines wait here
 * while no connection can carry them (not yet registered/subscribed, or between connections); nothing typed is lost.
 */
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { LineInput } from '../types.js';

export interface ChatTarget {
  readonly canSend: boolean;
  sendText(text: string): void;
}

export class ChatOutbox {
  private readonly queue: string[] = [];
  private target: ChatTarget | undefined;
  private reader: { close(): void } | undefined;

  constructor(first?: string) {
    if (first !== undefined) this.queue.push(first);
  }

  /**
   * Each non-blank line is sent; the end of input ends the chat, not the tail. `lines`: what the run gives (at a
   * terminal, a prompt that the incoming events do not break into); else `input`'s lines, read plainly.
   */
  readLines(input: Readable, onEnd: () => void, lines?: LineInput): void {
    if (this.reader) return;
    const take = (line: string) => {
      if (line.trim() === '') return;
      this.queue.push(line);
      this.flush();
    };
    if (lines) {
      this.reader = lines.read(take, onEnd);
      return;
    }
    const rl = readline.createInterface({ input, crlfDelay: Infinity, terminal: false });
    this.reader = rl;
    rl.on('line', take);
    rl.on('close', onEnd);
  }

  /** A connection is ready to carry messages: it gets what waits and what comes. */
  attach(target: ChatTarget): void {
    this.target = target;
    this.flush();
  }

  detach(target: ChatTarget): void {
    if (this.target === target) this.target = undefined;
  }

  /** The run is over: no more input. */
  stop(): void {
    this.reader?.close();
    this.reader = undefined;
  }

  private flush(): void {
    const t = this.target;
    while (this.queue.length && t?.canSend) t.sendText(this.queue.shift()!);
  }
}
