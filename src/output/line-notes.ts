/**
 * The pretty printer's hook for sinks that answer later (--forward-to): each event's line ends with the answers
 * ("→ 200 in 12ms"). Lines keep the stream's order: a line waits until its answers are final. At a terminal the
 * line at the head is shown at once and its note is rewritten in place while it changes ("→ 503, retry 1 in
 * 400ms"); in a pipe each line is written once, when final. Lines held here are bounded by the sink's own
 * backpressure (it pauses the socket while its queue is full).
 */
import type { TailEvent } from '../types.js';
import type { Sink } from './sink.js';

export interface LineNote {
  text: string;
  final: boolean;
}

/** A sink whose answers annotate the event lines. */
export interface NoteSource {
  onNotes(listener: (ev: TailEvent, notes: readonly (LineNote | undefined)[]) => void): void;
}

interface Entry {
  line: string;
  notes?: readonly (LineNote | undefined)[];
}

/** Columns kept free for the note at the end of a line (pretty lines are cut to the terminal width). */
export const NOTE_COLUMNS = 34;

export class NotedLines {
  private readonly queue: Entry[] = [];
  private readonly entries = new Map<TailEvent, Entry>();
  /** Notes that came before their line (a sink written before stdout). */
  private readonly early = new Map<TailEvent, readonly (LineNote | undefined)[]>();
  /** The head's line is on screen without its newline (at a terminal). */
  private headShown = false;
  private more = true;
  /** What the head's line shows now (not written again when unchanged). */
  private shown = '';

  constructor(
    private readonly sink: Sink,
    source: NoteSource,
    /** At a terminal: show the head line at once and rewrite its note in place. */
    private readonly live: boolean,
    private readonly paint: (note: string) => string = (s) => s,
  ) {
    source.onNotes((ev, notes) => this.update(ev, notes));
  }

  /** `line`: the pretty line, with its newline. */
  write(ev: TailEvent, line: string): boolean {
    const entry: Entry = { line: line.endsWith('\n') ? line.slice(0, -1) : line, notes: this.early.get(ev) };
    this.early.delete(ev);
    this.queue.push(entry);
    this.entries.set(ev, entry);
    this.render();
    return this.more;
  }

  private update(ev: TailEvent, notes: readonly (LineNote | undefined)[]): void {
    const entry = this.entries.get(ev);
    if (!entry) {
      this.early.set(ev, [...notes]);
      return;
    }
    entry.notes = [...notes];
    if (isFinal(entry)) this.entries.delete(ev);
    if (this.queue[0] === entry) this.render();
  }

  private render(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const note = noteText(head);
      const start = this.headShown ? '\r' : '';
      const clear = this.headShown ? '\x1b[K' : '';
      if (isFinal(head)) {
        this.queue.shift();
        this.headShown = false;
        this.more = this.sink.write(`${start}${head.line}${note ? ' ' + this.paint(note) : ''}${clear}\n`);
        continue;
      }
      if (this.live && !(this.headShown && this.shown === note)) {
        this.more = this.sink.write(`${start}${head.line}${note ? ' ' + this.paint(note) : ''}${clear}`);
        this.headShown = true;
        this.shown = note;
      }
      return;
    }
  }
}

function isFinal(e: Entry): boolean {
  return e.notes !== undefined && e.notes.every((n) => n?.final === true);
}

function noteText(e: Entry): string {
  if (!e.notes) return '';
  if (e.notes.length === 1) return e.notes[0]?.text ?? '';
  return e.notes.map((n, i) => `[${i + 1}] ${n?.text ?? '→ …'}`).join('  ');
}
