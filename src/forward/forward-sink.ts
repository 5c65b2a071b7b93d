/**
 * --forward-to as an EventSink: every event goes to every target (each with its own ordered queue). write() says
 * "full" while any target holds its high-water mark, so a slow handler pauses the socket like a slow stdout does.
 * Events finally not delivered are reported once on stderr, kept in --forward-dead-letter, and counted (exit 7).
 */
import type { TailEvent } from '../types.js';
import type { EventSink } from '../output/fanout.js';
import { sanitize } from '../output/sanitize.js';
import type { DeadLetterFile } from './dead-letter.js';
import type { Poster } from './http.js';
import { ForwardTarget, type Item, type Note, type TargetOptions } from './target.js';
import type { ForwardStats } from '../output/stats.js';

export interface ForwardReporter {
  /** Shown even with --quiet: an event was lost to this target. */
  error(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** Each event's answers, per target, for the event's line at a terminal. */
export type NoteListener = (ev: TailEvent, notes: readonly (Note | undefined)[]) => void;

export class ForwardSink implements EventSink {
  readonly name: string;
  private readonly targets: ForwardTarget[];
  private drainWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly notes = new Map<TailEvent, (Note | undefined)[]>();
  private listener: NoteListener | undefined;

  constructor(
    targets: TargetOptions[],
    private readonly poster: Poster,
    private readonly reporter: ForwardReporter,
    private readonly deadLetters?: DeadLetterFile,
  ) {
    this.targets = targets.map(
      (o) =>
        new ForwardTarget(o, poster, {
          note: (item, target, note) => {
            if (item.key) this.note(item.key, target, note);
          },
          failed: (item, target, reason, attempts) => this.failed(item, target, reason, attempts),
          debug: (m) => reporter.debug(m),
          settled: () => this.settled(),
        }),
    );
    this.name = this.targets.map((t) => `--forward-to ${t.name}`).join(', ');
  }

  /** Watch each event's answers (the pretty printer's hook). Set before the first write. */
  onNotes(listener: NoteListener): void {
    this.listener = listener;
  }

  get targetCount(): number {
    return this.targets.length;
  }

  write(ev: TailEvent, line: string): boolean {
    const head = { type: ev.type, id: ev.id, provider: ev.provider, source: ev.source };
    const item: Item = this.listener ? { ev: head, line, key: ev } : { ev: head, line };
    for (const t of this.targets) t.push(item);
    return this.hasRoom();
  }

  onDrain(cb: () => void): void {
    if (this.hasRoom()) queueMicrotask(cb);
    else this.drainWaiters.push(cb);
  }

  /**
   * Deliver what was accepted (retries included) until `deadlineMs` (wall clock, or Infinity). What is still
   * undelivered then is given up: reported, kept as a dead letter, counted as a failure.
   */
  drain(deadlineMs: number): Promise<{ undelivered: number }> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        if (timer) clearTimeout(timer);
        this.idleWaiters = this.idleWaiters.filter((w) => w !== onIdle);
        resolve({ undelivered: this.giveUp('the run ended before it was delivered') });
      };
      const onIdle = () => finish();
      if (this.idle()) return finish();
      this.idleWaiters.push(onIdle);
      if (Number.isFinite(deadlineMs)) timer = setTimeout(finish, Math.max(0, deadlineMs - Date.now()));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.giveUp('evtail stopped before it was delivered');
    await this.poster.close();
    const error = await this.deadLetters?.close();
    if (error) this.reporter.error(`--forward-dead-letter: writing ${this.deadLetters!.path} failed: ${error.message}`);
  }

  /** What to do about events that were not delivered. */
  retryHint(): string {
    const target = this.targets[0]?.name ?? '…';
    if (this.deadLetters) return `send them again when the handler is fixed: evtail replay ${this.deadLetters.path} --forward-to ${target}`;
    return 'the errors above say why; --forward-dead-letter <file> keeps such events for `evtail replay <file> --forward-to …`';
  }

  failures(): number {
    let n = 0;
    for (const t of this.targets) n += t.failures;
    return n;
  }

  stats(): ForwardStats[] {
    return this.targets.map((t) => t.stats());
  }

  private giveUp(reason: string): number {
    let n = 0;
    for (const t of this.targets) n += t.abandon(reason);
    return n;
  }

  private hasRoom(): boolean {
    for (const t of this.targets) if (!t.hasRoom) return false;
    return true;
  }

  private idle(): boolean {
    for (const t of this.targets) if (t.load > 0) return false;
    return true;
  }

  private settled(): void {
    if (this.drainWaiters.length && this.hasRoom()) {
      const w = this.drainWaiters;
      this.drainWaiters = [];
      for (const cb of w) cb();
    }
    if (this.idleWaiters.length && this.idle()) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const cb of w) cb();
    }
  }

  private note(ev: TailEvent, target: ForwardTarget, note: Note): void {
    if (!this.listener) return;
    let notes = this.notes.get(ev);
    if (!notes) {
      notes = new Array<Note | undefined>(this.targets.length).fill(undefined);
      this.notes.set(ev, notes);
    }
    notes[this.targets.indexOf(target)] = note;
    if (notes.every((n) => n?.final)) this.notes.delete(ev);
    this.listener(ev, notes);
  }

  private failed(item: Item, target: ForwardTarget, reason: string, attempts: number): void {
    const { ev } = item;
    const what = `${ev.type}${ev.id !== undefined ? ` ${ev.id}` : ''}`;
    this.reporter.error(`--forward-to ${target.name}: event ${sanitize(what)} not delivered: ${sanitize(reason)}${this.deadLetters ? ` (kept in ${this.deadLetters.path})` : ''}`);
    this.deadLetters?.write({ target: target.name, reason, attempts, at: new Date().toISOString() }, item.line);
  }
}
