/** Pick the output format once, at the edge: stdout becomes the first EventSink of the run's FanOut. */
import type { TailEvent } from '../types.js';
import type { UndecodableSink } from './fanout.js';
import { envelopeLine, payloadJson } from './envelope.js';
import type { Sink } from './sink.js';

export type Format = 'pretty' | 'ndjson' | 'raw';

export function defaultFormat(stdoutIsTTY: boolean): Format {
  return stdoutIsTTY ? 'pretty' : 'ndjson';
}

/** raw: each event frame's text, one per line; undecodable frames are kept too. */
function rawLine(ev: TailEvent): string {
  const text = ev.raw ?? payloadJson(ev);
  return text.endsWith('\n') ? text : text + '\n';
}

/** stdout as an EventSink. `line` (the envelope, serialised once by the FanOut) is what NDJSON prints. */
export async function createOutput(format: Format, sink: Sink, options: { summarize: (ev: TailEvent) => string; colourLevel: 0 | 1 | 2 | 3; width?: number; hideWhere?: boolean }): Promise<UndecodableSink & { write(ev: TailEvent, line?: string): boolean }> {
  let formatEvent: (ev: TailEvent, line: string | undefined) => string;
  if (format === 'ndjson') formatEvent = (ev, line) => (line ?? envelopeLine(ev)) + '\n';
  else if (format === 'raw') formatEvent = rawLine;
  else {
    const { PrettyPrinter } = await import('./pretty-printer.js');
    const printer = new PrettyPrinter(options.summarize, options.colourLevel, options.width, options.hideWhere);
    formatEvent = (ev) => printer.format(ev);
  }
  return {
    name: 'stdout',
    write: (ev, line?: string) => sink.write(formatEvent(ev, line)),
    undecodable: (frame) => (format === 'raw' ? sink.write(frame.endsWith('\n') ? frame : frame + '\n') : true),
    onDrain: (cb) => sink.onDrain(cb),
    drain: (deadlineMs) => sink.drain(deadlineMs),
    // stdout is the process's: it is never closed here.
    close: async () => undefined,
  };
}
