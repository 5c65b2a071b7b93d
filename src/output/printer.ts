/** Pick the output format once, at the edge: stdout becomes the first EventSink of the run's FanOut. */
import type { TailEvent } from '../types.js';
import type { UndecodableSink } from './fanout.js';
import { envelopeHead, envelopeLine, payloadJson } from './envelope.js';
import { sanitize, sanitizeJson } from './sanitize.js';
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

/** raw at a terminal: the frame escaped like pretty (one screen line), then evtail's own line end. */
function rawTerminalText(text: string): string {
  return sanitize(text.endsWith('\n') ? text.slice(0, -1) : text) + '\n';
}

/** stdout as an EventSink. `line` (the envelope, serialised once by the FanOut) is what NDJSON prints. */
export interface OutputOptions {
  summarize: (ev: TailEvent) => string;
  colourLevel: 0 | 1 | 2 | 3;
  width?: number;
  hideWhere?: boolean;
  /** Pretty only: a sink whose answers end each event's line ("→ 200 in 12ms"), e.g. --forward-to. */
  notes?: NoteSource;
  /** stdout is a terminal: nothing from the network may act on it (see sanitize.ts). */
  terminal?: boolean;
}

export async function createOutput(format: Format, sink: Sink, options: OutputOptions): Promise<UndecodableSink & { write(ev: TailEvent, line?: string): boolean }> {
  const terminal = options.terminal === true;
  let formatEvent: (ev: TailEvent, line: string | undefined) => string;
  let write = (ev: TailEvent, line?: string) => sink.write(formatEvent(ev, line));
  // At a terminal, NDJSON keeps its JSON value but writes C1 and bidi controls as \u escapes; raw is escaped
  // like pretty. Into a pipe both are the exact data.
  if (format === 'ndjson') formatEvent = terminal ? (ev, line) => sanitizeJson(line ?? envelopeLine(ev)) + '\n' : (ev, line) => (line ?? envelopeLine(ev)) + '\n';
  else if (format === 'raw') formatEvent = terminal ? (ev) => rawTerminalText(ev.raw ?? payloadJson(ev)) : rawLine;
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
    // NDJSON into a pipe: the envelope around the payload's own bytes, as they came (see FramePayloadEvent).
    ...(format === 'ndjson' && !terminal ? { writeBytes: (ev: TailEvent & { readonly jsonBytes: Buffer }) => sink.writeAround(envelopeHead(ev), ev.jsonBytes, '}\n') } : {}),
    undecodable: (frame) => (format === 'raw' ? sink.write(terminal ? rawTerminalText(frame) : frame.endsWith('\n') ? frame : frame + '\n') : true),
    onDrain: (cb) => sink.onDrain(cb),
    drain: (deadlineMs) => sink.drain(deadlineMs),
    // stdout is the process's: it is never closed here.
    close: async () => undefined,
  };
}
