/** Pick the output format once, at the edge, and give the session an EventOutput. */
import type { EventOutput } from '../session/session.js';
import type { TailEvent } from '../types.js';
import { toNdjson } from './ndjson-printer.js';
import { payloadJson } from './envelope.js';
import type { Sink } from './sink.js';

export type Format = 'pretty' | 'ndjson' | 'raw';

export function defaultFormat(stdoutIsTTY: boolean): Format {
  return stdoutIsTTY ? 'pretty' : 'ndjson';
}

export interface FormatEvent {
  (ev: TailEvent): string;
}

/** raw: each event frame's text, one per line; undecodable frames are kept too. */
function rawLine(ev: TailEvent): string {
  const text = ev.raw ?? payloadJson(ev);
  return text.endsWith('\n') ? text : text + '\n';
}

export async function createOutput(format: Format, sink: Sink, options: { summarize: (ev: TailEvent) => string; colourLevel: 0 | 1 | 2 | 3; width?: number }): Promise<EventOutput> {
  let formatEvent: FormatEvent;
  if (format === 'ndjson') formatEvent = toNdjson;
  else if (format === 'raw') formatEvent = rawLine;
  else {
    const { PrettyPrinter } = await import('./pretty-printer.js');
    const printer = new PrettyPrinter(options.summarize, options.colourLevel, options.width);
    formatEvent = (ev) => printer.format(ev);
  }
  return {
    write: (ev) => sink.write(formatEvent(ev)),
    undecodable: (frame) => (format === 'raw' ? sink.write(frame.endsWith('\n') ? frame : frame + '\n') : true),
    onDrain: (cb) => sink.onDrain(cb),
  };
}
