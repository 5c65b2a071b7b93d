/**
 * An event whose `data` is parsed from its own JSON text only when something reads it (a pretty summary, a
 * filter on data.*). NDJSON and the sinks print `json` and never need the parse: on the hot path that is most of
 * the CPU and of the garbage per event. `data` is an accessor on the prototype: `{...ev}` does not copy it (read
 * ev.data, or JSON.stringify(ev), which uses toJSON).
 */
import type { TailEvent } from '../types.js';

const UNSET: unique symbol = Symbol('unset');

/**
 * What both kinds share: `data` parsed from `json` the first time it is read (or set by a decoder that has it), and
 * the plain object JSON.stringify sees.
 */
abstract class LazyDataEvent implements TailEvent {
  id: string | undefined = undefined;
  #data: unknown = UNSET;

  constructor(
    public time: string,
    public provider: string,
    public type: string,
  ) {}

  abstract get json(): string;
  abstract get raw(): string | undefined;

  get data(): unknown {
    if (this.#data === UNSET) this.#data = JSON.parse(this.json);
    return this.#data;
  }

  set data(value: unknown) {
    this.#data = value;
  }

  toJSON(): TailEvent {
    const out: TailEvent = { time: this.time, provider: this.provider, type: this.type, data: this.data };
    if (this.id !== undefined) out.id = this.id;
    out.json = this.json;
    const { raw } = this;
    if (raw !== undefined) out.raw = raw;
    return out;
  }
}

export class PayloadEvent extends LazyDataEvent {
  constructor(
    time: string,
    provider: string,
    type: string,
    /** The payload's own JSON text (valid JSON: the decoder's scan proved it). */
    public json: string,
    public raw: string | undefined = undefined,
  ) {
    super(time, provider, type);
  }
}

/**
 * An event read straight from a text frame's bytes (the UTF-8 it arrived as): its payload is frame[start, end),
 * which stdout's NDJSON copies as it is (no decoding to a string, no encoding back: most of the CPU per event on
 * large frames). `json` and `raw` are decoded from the bytes the first time something reads them (a filter, pretty,
 * --record, a sink other than stdout). Like `data`, they are accessors: `{...ev}` does not copy them.
 */
export class FramePayloadEvent extends LazyDataEvent {
  #json: string | undefined;
  #raw: string | undefined;

  constructor(
    time: string,
    provider: string,
    type: string,
    /** The whole frame, valid UTF-8 (ws checked it) holding valid JSON (the decoder's scan proved it). */
    readonly frame: Buffer,
    readonly start: number,
    readonly end: number,
  ) {
    super(time, provider, type);
  }

  /** The payload's own bytes: valid JSON on one line. */
  get jsonBytes(): Buffer {
    return this.frame.subarray(this.start, this.end);
  }

  get json(): string {
    return (this.#json ??= this.frame.toString('utf8', this.start, this.end));
  }

  get raw(): string {
    return (this.#raw ??= this.frame.toString('utf8'));
  }
}
