/**
 * Every place events go (stdout, --record, --forward-to, --publish) is an EventSink, and the session writes to one
 * FanOut of them. The FanOut serialises each event once (the NDJSON envelope), hands it to every sink, and reports
 * "full" while ANY sink is full: the session pauses the socket until all of them have room again. So the slowest
 * sink sets the pace, nothing is dropped, and memory stays bounded whatever the disk, pipe or network speed.
 *
 * At the end, drain() gives every sink the same deadline to deliver what it accepted, and says per sink how much
 * was not delivered.
 */
import type { EventOutput } from '../session/session.js';
import type { TailEvent } from '../types.js';
import { envelopeLine } from './envelope.js';

export interface EventSink {
  /** For messages: "stdout", "--record ./x", "--forward-to http://…" (redacted). */
  readonly name: string;
  /** line = the NDJSON envelope without newline. false = full: write no more until onDrain. */
  write(ev: TailEvent, line: string): boolean;
  /** cb once when it can take more (async, on a later tick, if it already can). */
  onDrain(cb: () => void): void;
  /**
   * Deliver what was accepted, until `deadlineMs` at the latest: a wall-clock time (Date.now() scale), or Infinity
   * (wait for everything; the sink's own retry policy bounds it). Called again with an earlier deadline (a second
   * signal: Date.now()), it must resolve promptly. `undelivered`: events accepted but not delivered.
   */
  drain(deadlineMs: number): Promise<{ undelivered: number }>;
  /** Let go of files and sockets; idempotent. Called after drain. */
  close(): Promise<void>;
  /** Events finally not delivered (forward/publish gave up on them): exit code 7. */
  failures?(): number;
  /**
   * The same as write(ev, envelopeLine(ev)) for an event carrying `jsonBytes`, built around those bytes without
   * decoding them (stdout's NDJSON into a pipe). Used when this is the only sink: the others take the line.
   */
  writeBytes?(ev: TailEvent & { readonly jsonBytes: Buffer }): boolean;
}

/** A sink that also keeps frames that did not decode (stdout in --format raw). */
export interface UndecodableSink extends EventSink {
  undecodable(frame: string): boolean;
}

export interface DrainReport {
  sink: string;
  undelivered: number;
}

export class FanOut implements EventOutput {
  private readonly full = new Set<EventSink>();
  private waiters: (() => void)[] = [];
  private readonly cutters = new Map<EventSink, (deadlineMs: number) => void>();

  constructor(
    private readonly sinks: readonly EventSink[],
    /** The sink that keeps undecodable frames, if any (stdout). */
    private readonly primary?: UndecodableSink,
    /** Turn an event into its envelope line (once per event, shared by all sinks). */
    private readonly serialise: (ev: TailEvent) => string = envelopeLine,
  ) {}

  get names(): string[] {
    return this.sinks.map((s) => s.name);
  }

  write(ev: TailEvent): boolean {
    const only = this.sinks.length === 1 ? this.sinks[0]! : undefined;
    if (only?.writeBytes && ev.jsonBytes && this.serialise === envelopeLine) {
      if (!only.writeBytes(ev as TailEvent & { readonly jsonBytes: Buffer })) this.markFull(only);
      return this.full.size === 0;
    }
    const line = this.serialise(ev);
    for (const s of this.sinks) if (!s.write(ev, line)) this.markFull(s);
    return this.full.size === 0;
  }

  undecodable(frame: string): boolean {
    if (this.primary && !this.primary.undecodable(frame)) this.markFull(this.primary);
    return this.full.size === 0;
  }

  onDrain(cb: () => void): void {
    if (this.full.size === 0) queueMicrotask(cb);
    else this.waiters.push(cb);
  }

  /**
   * Every sink delivers what it accepted, by `deadlineMs` (or Infinity). cut() during the wait sets an earlier
   * deadline (a signal): each sink still draining is asked again with it, and answers promptly.
   */
  drain(deadlineMs: number): Promise<DrainReport[]> {
    return Promise.all(
      this.sinks.map(
        (s) =>
          new Promise<DrainReport>((resolve) => {
            const settle = (undelivered: number) => {
              if (!this.cutters.delete(s)) return;
              resolve({ sink: s.name, undelivered });
            };
            this.cutters.set(s, (at) => void drainOf(s, at).then(settle));
            void drainOf(s, deadlineMs).then(settle);
          }),
      ),
    );
  }

  /** Bring the deadline of a drain in progress forward to `deadlineMs`. */
  cut(deadlineMs: number): void {
    for (const c of [...this.cutters.values()]) c(deadlineMs);
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close().catch(() => undefined)));
  }

  /** Events some sink finally could not deliver (exit code 7). */
  failures(): number {
    let n = 0;
    for (const s of this.sinks) n += s.failures?.() ?? 0;
    return n;
  }

  private markFull(s: EventSink): void {
    if (this.full.has(s)) return;
    this.full.add(s);
    s.onDrain(() => {
      this.full.delete(s);
      if (this.full.size > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
  }
}

async function drainOf(s: EventSink, deadlineMs: number): Promise<number> {
  try {
    return (await s.drain(deadlineMs)).undelivered;
  } catch {
    return 0;
  }
}
