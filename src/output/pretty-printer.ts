/** Pretty: local time, provider, type and a one-line summary, for a person at a terminal. */
import { Chalk, type ChalkInstance } from 'chalk';
import stringWidth from 'string-width';
import type { TailEvent } from '../types.js';
import { sanitize } from './sanitize.js';

export type Summarize = (ev: TailEvent) => string;

export class PrettyPrinter {
  private readonly c: ChalkInstance;
  /** The last time stamp, formatted: events received in the same millisecond share their time string. */
  private lastTime = '';
  private lastStamp = '';

  constructor(
    private readonly summarize: Summarize,
    level: 0 | 1 | 2 | 3,
    /** At a terminal, its width: each event stays on one screen line. */
    private readonly width?: number,
    /** Leave out [topic]/[channel]: a stream where it never changes (Push: your own urn). */
    private readonly hideWhere = false,
  ) {
    this.c = new Chalk({ level });
  }

  format(ev: TailEvent): string {
    const c = this.c;
    let summary: string;
    try {
      summary = this.summarize(ev);
    } catch {
      summary = '';
    }
    if (!summary) summary = fallbackSummary(ev);
    // Everything here but the time and the provider's name came from the network: sanitised before colouring.
    const rawWhere = this.hideWhere ? undefined : (ev.topic ?? ev.channel);
    const evType = sanitize(ev.type.length > 120 ? `${ev.type.slice(0, 119)}…` : ev.type);
    const where = rawWhere && rawWhere !== ev.type ? sanitize(rawWhere) : undefined;
    const type = c.bold.cyan(evType) + (where ? c.dim(` [${where}]`) : '');
    if (ev.time !== this.lastTime) {
      this.lastTime = ev.time;
      this.lastStamp = c.dim(localTime(ev.time));
    }
    const whereText = where ? ` [${where}]` : '';
    const source = ev.source === undefined ? '' : this.sourceColumn(ev.source);
    if (!this.width) return `${this.lastStamp} ${source}${c.magenta(ev.provider)} ${type} ${oneLine(summary, 300)}
`;
    // At a terminal every event is one screen line, however narrow: the summary gets what the prefix leaves,
    // and when the prefix alone does not fit, the prefix is cut too.
    const prefix = `${localTime(ev.time)} ${ev.source === undefined ? '' : sanitize(ev.source) + ' '}${ev.provider} ${evType}${whereText}`;
    const room = this.width - stringWidth(prefix) - 1;
    if (room < 2) return `${c.dim(fitWidth(prefix, this.width))}
`;
    return `${this.lastStamp} ${source}${c.magenta(ev.provider)} ${type} ${fitWidth(oneLine(summary, 1000), room)}
`;
  }

  private readonly sources = new Map<string, string>();

  /** Each source in its own colour, the same one in every run (picked from its name, as stern does). */
  private sourceColumn(source: string): string {
    let text = this.sources.get(source);
    if (text === undefined) {
      const paint = SOURCE_COLOURS[hash(source) % SOURCE_COLOURS.length]!;
      text = this.c[paint](sanitize(source)) + ' ';
      this.sources.set(source, text);
    }
    return text;
  }
}

/** Not magenta or cyan: the provider and the type are printed in those. */
const SOURCE_COLOURS = ['green', 'yellow', 'blue', 'red', 'greenBright', 'yellowBright', 'blueBright', 'redBright', 'white'] as const;

/** FNV-1a: a stable small hash of a name. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function localTime(iso: string): string {
  const d = new Date(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** One screen line: control characters (line breaks too) shown as escapes, then cut to the room left. */
function oneLine(text: string, max = 300): string {
  const flat = sanitize(text.length > max * 8 ? text.slice(0, max * 8) : text);
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** No summary: the payload's own text (every digit as sent), a string as it is. */
export function fallbackSummary(ev: TailEvent): string {
  const data = ev.data;
  if (data === undefined || data === null) return '';
  if (typeof data === 'string') return data;
  let json: string;
  try {
    json = ev.json ?? JSON.stringify(data) ?? '';
  } catch {
    // Nested deeper than JSON.stringify can go: no summary rather than no event.
    return '(payload too deeply nested to show)';
  }
  return json.length > 200 ? `${json.slice(0, 197)}...` : json;
}

/** Cut text to at most `columns` screen columns (wide characters count two), marking a cut with "…". */
export function fitWidth(text: string, columns: number): string {
  if (stringWidth(text) <= columns) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = stringWidth(ch);
    if (used + w > columns - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}
