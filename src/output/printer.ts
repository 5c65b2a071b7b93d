/** Pick the output format once, at the edge: stdout becomes the first EventSink of the run's FanOut. */
import type { TailEvent } from '../types.js';
import type { UndecodableSink } from './fanout.js';
import { envelopeLine, payloadJson } from './envelope.js';
import type { Sink } from './sink.js';
import { NOTE_COLUMNS, type NoteSource } from './line-notes.js';

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
export interface OutputOptions {
  summarize: (ev: TailEvent) => string;
  colourLevel: 0 | 1 | 2 | 3;
  width?: number;
  hideWhere?: boolean;
  /** Pretty only: a sink whose answers end each event's line ("→ 200 in 12ms"), e.g. --forward-to. */
  notes?: NoteSource;
}

export async function createOutput(format: Format, sink: Sink, options: OutputOptions): Promise<UndecodableSink & { write(ev: TailEvent, line?: string): boolean }> {
  let formatEvent: (ev: TailEvent, line: string | undefined) => string;
  let write = (ev: TailEvent, line?: string) => sink.write(formatEvent(ev, line));
  if (format === 'ndjson') formatEvent = (ev, line) => (line ?? envelopeLine(ev)) + '\n';
  else if (format === 'raw') formatEvent = rawLine;
  else {
    const { PrettyPrinter } = await import('./pretty-printer.js');
    const width = options.width && options.notes ? Math.max(40, options.width - NOTE_COLUMNS) : options.width;
    const printer = new PrettyPrinter(options.summarize, options.colourLevel, width, options.hideWhere);
    formatEvent = (ev) => printer.format(ev);
    if (options.notes) {
      const { NotedLines } = await import('./line-notes.js');
      const { Chalk } = await import('chalk');
      const c = new Chalk({ level: options.colourLevel });
      const paint = (note: string) => (/gave up|not retried|not delivered/.test(note) ? c.red(note) : /retry \d+ in/.test(note) ? c.yellow(note) : c.green(note));
      const lines = new NotedLines(sink, options.notes, options.width !== undefined, paint);
      write = (ev) => lines.write(ev, printer.format(ev));
    }
  }
  return {
    name: 'stdout',
    write: (ev, line?: string) => write(ev, line),
    undecodable: (frame) => (format === 'raw' ? sink.write(frame.endsWith('\n') ? frame : frame + '\n') : true),
    onDrain: (cb) => sink.onDrain(cb),
    drain: (deadlineMs) => sink.drain(deadlineMs),
    // stdout is the process's: it is never closed here.
    close: async () => undefined,
  };
}
