/**
 * An event whose `data` is parsed from its own JSON text only when something reads it (a pretty summary, a
 * filter on data.*). NDJSON and the sinks print `json` and never need the parse: on the hot path that is most of
 * the CPU and of the garbage per event. `data` is an accessor on the prototype: `{...ev}` does not copy it (read
 * ev.data, or JSON.stringify(ev), which uses toJSON).
 */
import type { TailEvent } from '../types.js';

const UNSET: unique symbol = Symbol('unset');

export class PayloadEvent implements TailEvent {
  id: string | undefined = undefined;
  #data: unknown = UNSET;

  constructor(
    public time: string,
    public provider: string,
    public type: string,
    /** The payload's own JSON text (valid JSON: the decoder's scan proved it). */
    public json: string,
    public raw?: string,
  ) {}

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
    if (this.raw !== undefined) out.raw = this.raw;
    return out;
  }
}
