/**
 * `evtail replay` of NDJSON envelopes: what `--format ndjson` printed, or a --forward-dead-letter file (each line
 * {"deadLetter":{…},"event":<envelope>}). The events are replayed as they are, through the same filters, printers
 * and sinks, so `evtail replay dead.ndjson --forward-to …` sends the failed events again, byte for byte.
 */
import type { RecordLine } from '../output/recorder.js';
import type { DecodeResult, FrameDecoder } from '../providers/spec.js';
import type { TailEvent } from '../types.js';
import { envelopeOfDeadLetter } from '../forward/dead-letter.js';
import { textAt } from '../json/spans.js';

/** Whether a file's first line is an envelope or a dead letter rather than a --record line. */
export function isEnvelopeLine(line: string): boolean {
  if (envelopeOfDeadLetter(line) !== undefined) return true;
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    return typeof v === 'object' && v !== null && v.dir === undefined && typeof v.type === 'string' && typeof v.provider === 'string' && 'data' in v;
  } catch {
    return false;
  }
}

/** Each line as a recorded incoming frame holding the envelope's text; undefined + line number for a bad line. */
export function envelopeRecords(text: string): { records: RecordLine[]; bad?: number } {
  const records: RecordLine[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (!line.trim()) continue;
    const frame = envelopeOfDeadLetter(line) ?? line;
    const ev = toEvent(frame);
    if (!ev) return { records, bad: n + 1 };
    records.push({ t: ev.time, provider: ev.provider, dir: 'in', frame });
  }
  return { records };
}

function toEvent(frame: string): TailEvent | undefined {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(frame) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || typeof v.type !== 'string' || typeof v.provider !== 'string' || typeof v.time !== 'string') return undefined;
  // data's own text, so the envelope (and a re-sent body) keeps every digit as it was.
  const json = textAt(frame, ['data']);
  const ev: TailEvent = { time: v.time, provider: v.provider, type: v.type, data: v.data, ...(json !== undefined ? { json } : {}) };
  for (const key of ['id', 'topic', 'channel', 'room', 'source'] as const) if (typeof v[key] === 'string') (ev as unknown as Record<string, unknown>)[key] = v[key];
  return ev;
}

/** The decoder for envelope records: each frame is one event, as it was. */
export const envelopeDecoder: FrameDecoder = (dir, frame): DecodeResult => {
  if (dir !== 'in') return { kind: 'control' };
  const ev = toEvent(frame);
  return ev ? { kind: 'events', events: [ev] } : { kind: 'invalid', reason: 'not an evtail envelope' };
};
