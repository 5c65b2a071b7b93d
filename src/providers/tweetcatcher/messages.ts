/**
 * Tweet Catcher wire types and decoding (protocols.md §1). Pure functions: the driver, replay and the tests use them.
 */
import type { TailEvent } from '../../types.js';
import type { DecodeResult, FrameDecoder } from '../spec.js';
import { parseJsonObject } from '../json.js';
import { compact, idFrom, payloadSlice, spanAt } from '../../json/spans.js';
import { compileQuery, kindAt, newSpans, scan, stringAt } from '../../json/scan.js';
import { FramePayloadEvent, PayloadEvent } from '../../json/payload-event.js';

export const Op = { event: 0, heartbeat: 1, login: 2, disconnect: 3, ready: 4, hello: 10, heartbeatAck: 11 } as const;

export type ServerFrame =
  | { op: 10; heartbeat_interval: number }
  | { op: 11 }
  | { op: 4 }
  | { op: 3; text?: string }
  | { op: 0; d: unknown }
  | { op: number; [k: string]: unknown };

export type Parsed = { ok: true; frame: ServerFrame } | { ok: false; reason: string };

export function parseFrame(text: string): Parsed {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  const op = (value as { op?: unknown }).op;
  if (typeof op !== 'number') return { ok: false, reason: 'no numeric "op"' };
  return { ok: true, frame: value as ServerFrame };
}

/** Current format: {event_id, event, task_info, data}. */
export interface CurrentEventData {
  event_id?: string | number;
  event?: string;
  task_info?: { id?: unknown; group?: unknown; handle?: string; profile_info?: unknown };
  data?: PostData & Record<string, unknown>;
}

/** Older format: {task:{user, userInfo, reason}, data}. */
export interface OlderEventData {
  task?: { user?: string; userInfo?: unknown; reason?: string };
  data?: Record<string, unknown>;
  event_id?: string | number;
}

export interface PostData {
  id?: string | number;
  created_at?: number;
  type?: 'post' | 'repost' | 'quote' | 'reply' | string;
  text?: string;
  media?: { type?: string; url?: string; preview?: string; duration?: number }[];
  mentions?: { id?: string; handle?: string; name?: string }[];
  tags?: string[];
  author?: { handle?: string; name?: string; id?: string } | string;
}

/**
 * op 0 `d` → envelope. type = d.event (older: d.task.reason); id = d.event_id (a number keeps its own digits);
 * data = d, printed as its own text in `raw` (the frame) when given.
 */
export function toEvent(d: unknown, time: string, raw?: string): TailEvent | { error: string } {
  if (typeof d !== 'object' || d === null) return { error: 'op 0 without an object "d"' };
  const cur = d as CurrentEventData & OlderEventData;
  let type: string | undefined;
  if (typeof cur.event === 'string' && cur.event) type = cur.event;
  else if (cur.task && typeof cur.task.reason === 'string' && cur.task.reason) type = cur.task.reason;
  const span = raw === undefined ? undefined : spanAt(raw, ['d']);
  const json = span && payloadSlice(raw!, span[0], span[1]);
  const ev: TailEvent = { time, provider: 'tweetcatcher', type: type ?? 'unknown', data: d, json, raw };
  const id = cur.event_id;
  if (typeof id === 'number') ev.id = idFrom(id, json, ['event_id']);
  else if (id !== undefined && id !== null) ev.id = typeof id === 'object' ? compact(spanText(json, ['event_id']) ?? JSON.stringify(id)) : String(id);
  return ev;
}

const QUERY = compileQuery({ op: true, d: { event: true, event_id: true, task: { reason: true } } });
const OP = QUERY.slot('op');
const D = QUERY.slot('d');
const EVENT = QUERY.slot('d.event');
const EVENT_ID = QUERY.slot('d.event_id');
const REASON = QUERY.slot('d.task.reason');
const spans = newSpans(QUERY);

/** Scan a frame; true when it is valid JSON with "op" exactly 0 (the spans then say where everything is). */
function scanOp0(text: string): boolean {
  if (!scan(text, QUERY, spans)) return false;
  const opStart = spans[OP * 2]!;
  return opStart >= 0 && text.charCodeAt(opStart) === 48 /* 0 */ && spans[OP * 2 + 1] === opStart + 1;
}

/**
 * The hot path: an op 0 frame → its event (or why it is not one), read by one validating scan: no JSON.parse, no
 * objects built (less CPU and garbage; measured faster at 600 B and at 10 KB), and the payload's span comes for
 * free. undefined for anything else (other ops, broken frames), which parseFrame/toEvent then decode (the same
 * envelope: tested against each other).
 */
export function scanEvent(text: string, time: string): TailEvent | { error: string } | undefined {
  if (!scanOp0(text)) return undefined;
  const d = kindAt(text, spans, D);
  if (d !== 123 && d !== 91) return { error: 'op 0 without an object "d"' };
  const type = stringAt(text, spans, EVENT) || stringAt(text, spans, REASON) || 'unknown';
  const ev = new PayloadEvent(time, 'tweetcatcher', type, payloadSlice(text, spans[D * 2]!, spans[D * 2 + 1]!), text);
  const id = kindAt(text, spans, EVENT_ID);
  if (id === 34) ev.id = stringAt(text, spans, EVENT_ID);
  else if (id >= 0 && id !== 110 /* null */) ev.id = compact(text.slice(spans[EVENT_ID * 2], spans[EVENT_ID * 2 + 1]));
  return ev;
}

/** Frames from this size on are read from their bytes (below it, decoding them costs less than the event would). */
export const BYTES_PATH_MIN = 2048;

/**
 * scanEvent on a text frame's bytes, for large frames: the scan reads their latin1 image (one character per byte,
 * so its offsets are byte offsets; JSON's structure is ASCII, and ws has checked the UTF-8), and the event carries
 * the payload's bytes, which stdout copies without decoding them. Type and id are decoded from their own bytes.
 * The same event as scanEvent(bytes.toString()) (tested against each other); undefined for anything scanEvent
 * would not make an event of the same way (other ops, broken frames, a payload on several lines): the text path.
 */
export function scanEventBytes(bytes: Buffer, time: string): FramePayloadEvent | undefined {
  const text = bytes.toString('latin1');
  if (!scanOp0(text)) return undefined;
  const d = kindAt(text, spans, D);
  if (d !== 123 && d !== 91) return undefined;
  const start = spans[D * 2]!;
  const end = spans[D * 2 + 1]!;
  if (lineBreakIn(text, start, end)) return undefined;
  const type = stringIn(bytes, text, EVENT) || stringIn(bytes, text, REASON) || 'unknown';
  const ev = new FramePayloadEvent(time, 'tweetcatcher', type, bytes, start, end);
  const id = kindAt(text, spans, EVENT_ID);
  if (id === 34) ev.id = stringIn(bytes, text, EVENT_ID);
  else if (id >= 0 && id !== 110 /* null */) ev.id = compact(bytes.toString('utf8', spans[EVENT_ID * 2], spans[EVENT_ID * 2 + 1]));
  return ev;
}

function lineBreakIn(text: string, start: number, end: number): boolean {
  const n = text.indexOf('\n', start);
  const r = text.indexOf('\r', start);
  return (n >= 0 && n < end) || (r >= 0 && r < end);
}

/** The string in a slot, decoded from the frame's own UTF-8; undefined when the slot holds no string. */
function stringIn(bytes: Buffer, text: string, slot: number): string | undefined {
  const s = spans[slot * 2]!;
  if (s < 0 || text.charCodeAt(s) !== 34) return undefined;
  const quoted = bytes.toString('utf8', s, spans[slot * 2 + 1]!);
  return quoted.includes('\\') ? (JSON.parse(quoted) as string) : quoted.slice(1, -1);
}

function spanText(json: string | undefined, path: string[]): string | undefined {
  const span = json === undefined ? undefined : spanAt(json, path);
  return span && json!.slice(span[0], span[1]);
}

function authorHandle(d: CurrentEventData & OlderEventData): string | undefined {
  const a = d.data?.author;
  if (typeof a === 'string') return a;
  if (a && typeof a === 'object' && typeof a.handle === 'string') return a.handle;
  if (typeof d.task_info?.handle === 'string') return d.task_info.handle;
  if (typeof d.task?.user === 'string') return d.task.user;
  return undefined;
}

/** `@handle: text` for posts, with the post kind and media; something useful for the rest. */
export function summarize(ev: TailEvent): string {
  const d = ev.data as CurrentEventData & OlderEventData;
  if (!d || typeof d !== 'object') return '';
  const handle = authorHandle(d);
  const data = (d.data ?? {}) as PostData & Record<string, unknown>;
  const who = handle ? `@${handle.replace(/^@/, '')}` : '';
  const text = typeof data.text === 'string' ? data.text : typeof data.full_text === 'string' ? (data.full_text as string) : undefined;
  if (text !== undefined) {
    const kind = data.type && data.type !== 'post' ? `(${data.type}) ` : '';
    const media = Array.isArray(data.media) && data.media.length ? ` [${data.media.length} media]` : '';
    return `${who}: ${kind}${text}${media}`;
  }
  const target = data.handle ?? data.screen_name ?? (data.user as { handle?: string } | undefined)?.handle;
  if (/follow/i.test(ev.type) && typeof target === 'string') return `${who} followed @${target}`;
  if (who) return `${who}`;
  return '';
}

/** One received frame → what it means (the driver's decoding, for replay). */
export function decodeFrame(text: string, time: string): DecodeResult {
  const fast = scanEvent(text, time);
  if (fast) return 'error' in fast ? { kind: 'invalid', reason: fast.error } : { kind: 'events', events: [fast] };
  const parsed = parseFrame(text);
  if (!parsed.ok) return { kind: 'invalid', reason: parsed.reason };
  if (parsed.frame.op !== Op.event) return { kind: 'control' };
  const ev = toEvent((parsed.frame as { d?: unknown }).d, time, text);
  return 'error' in ev ? { kind: 'invalid', reason: ev.error } : { kind: 'events', events: [ev] };
}

export function createDecoder(): FrameDecoder {
  return (dir, frame, time) => (dir === 'in' ? decodeFrame(frame, time) : { kind: 'control' });
}
