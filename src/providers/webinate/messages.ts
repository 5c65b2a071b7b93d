/**
 * Webinate users server wire types and decoding (seed 004, protocols.md §5). Pure functions: the driver,
 * the mock, replay and the tests use them.
 *
 * Two generations: the documented one sends a numeric `eventType` (1–10); newer servers send a string
 * `type` ("Login", …). Both decode to the same envelope `type`: the event's name.
 */
import { formatSize } from '../../format.js';
import type { TailEvent } from '../../types.js';
import type { DecodeResult, FrameDecoder } from '../spec.js';
import { parseJsonObject } from '../json.js';
import { idFrom, wholeValue } from '../../json/spans.js';

/** numeric: `eventType` numbers (the documented protocol, servers before Aug 2016); string: `type` names (v0.5.0 on). */
export type Generation = 'numeric' | 'string';

/** eventType number → name (the documented EventType enum). */
export const EVENT_NAMES: Readonly<Record<number, string>> = {
  1: 'Login',
  2: 'Logout',
  3: 'Activated',
  4: 'Removed',
  5: 'FileUploaded',
  6: 'FileRemoved',
  7: 'BucketUploaded',
  8: 'BucketRemoved',
  9: 'MetaRequest',
  10: 'Echo',
};

/** name → eventType number. */
export const EVENT_NUMBERS: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(EVENT_NAMES).map(([n, name]) => [name, Number(n)]));

export interface FileEntry {
  _id?: string;
  name?: string;
  user?: string;
  identifier?: string;
  bucketId?: string;
  bucketName?: string;
  publicURL?: string;
  created?: number;
  size?: number;
  mimeType?: string;
  isPublic?: boolean;
  numDownloads?: number;
  parentFile?: string | null;
  meta?: unknown;
}

export interface BucketEntry {
  _id?: string;
  name?: string;
  identifier?: string;
  user?: string;
  created?: number;
  memoryUsed?: number;
  meta?: unknown;
}

/** Any token the server sends (or a client sends to it). */
export interface Token {
  eventType?: number;
  type?: string;
  error?: string;
  username?: string;
  file?: FileEntry;
  bucket?: BucketEntry;
  property?: string;
  val?: unknown;
  message?: string;
  broadcast?: boolean;
  /** Not part of the protocol: the mock numbers its events here ("wb-<n>"); real servers send none. */
  id?: string | number;
  [k: string]: unknown;
}

export type Parsed = { ok: true; token: Token } | { ok: false; reason: string };

export function parseFrame(text: string): Parsed {
  const parsed = parseJsonObject(text);
  return parsed.ok ? { ok: true, token: parsed.value as Token } : parsed;
}

/**
 * The event's name: a string `type` (newer servers) wins, else the numeric `eventType` (a numeric string is
 * accepted too); unknown numbers become `eventType:<n>`; neither field → "unknown".
 */
export function eventName(token: Token): string {
  const t = token.type as unknown;
  if (typeof t === 'string' && t) return t;
  if (typeof t === 'number') return nameOfNumber(t);
  const e = token.eventType as unknown;
  if (typeof e === 'number') return nameOfNumber(e);
  if (typeof e === 'string' && /^\d+$/.test(e.trim())) return nameOfNumber(Number(e));
  return 'unknown';
}

function nameOfNumber(n: number): string {
  return EVENT_NAMES[n] ?? `eventType:${n}`;
}

/**
 * A token → the envelope. data = the token, printed as its own text (`raw`, the frame); id only when the frame
 * carries one (the mock does; a number keeps its digits).
 */
export function toEvent(token: Token, time: string, raw?: string): TailEvent {
  const json = raw === undefined ? undefined : wholeValue(raw);
  const ev: TailEvent = { time, provider: 'webinate', type: eventName(token), data: token, json, raw };
  const id = token.id;
  if (typeof id === 'string' || typeof id === 'number') {
    const text = idFrom(id, json, ['id']);
    if (text !== undefined) ev.id = text;
  }
  return ev;
}

/**
 * One received frame → what it means, as the driver takes it: every JSON object is an event (one carrying an
 * `error` too: the driver prints it and warns); anything else is invalid. The protocol has no control frames.
 */
export function decodeReceived(text: string, time: string): DecodeResult {
  const parsed = parseFrame(text);
  if (!parsed.ok) return { kind: 'invalid', reason: parsed.reason };
  return { kind: 'events', events: [toEvent(parsed.token, time, text)] };
}

/** For `evtail replay`: stateless. Sent frames (--echo, --send) are control: only the server's answer is printed. */
export function createDecoder(): FrameDecoder {
  return (dir, frame, time) => (dir === 'in' ? decodeReceived(frame, time) : { kind: 'control' });
}

/** The server's `error` field, if any, as text. */
export function errorOf(token: Token): string | undefined {
  const e = token.error as unknown;
  if (e === undefined || e === null || e === false || e === '') return undefined;
  return typeof e === 'string' ? e : JSON.stringify(e);
}

/** Sizes in summaries: "1.5 KiB". */
const humanSize = (bytes: number): string => formatSize(bytes, { space: ' ', digits: 1 });

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function fileSummary(f: FileEntry | undefined): string {
  if (!f || typeof f !== 'object') return 'file';
  const name = str(f.name) ?? str(f.identifier) ?? 'file';
  const size = typeof f.size === 'number' ? ` (${humanSize(f.size)})` : '';
  const bucket = str(f.bucketName) ?? str(f.bucketId);
  return `${name}${size}${bucket ? ` in bucket ${bucket}` : ''}`;
}

function bucketSummary(b: BucketEntry | undefined): string {
  if (!b || typeof b !== 'object') return 'bucket';
  const name = str(b.name) ?? str(b.identifier) ?? '?';
  const used = typeof b.memoryUsed === 'number' && b.memoryUsed > 0 ? ` (${humanSize(b.memoryUsed)} used)` : '';
  return `bucket ${name}${used}`;
}

function short(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** One line for a person: the username for user events; file name, size and bucket; the echo's message. */
export function summarize(ev: TailEvent): string {
  const d = ev.data as Token;
  if (!d || typeof d !== 'object') return '';
  const user = str(d.username) ?? str(d.file?.user) ?? str(d.bucket?.user);
  const by = user ? ` by ${user}` : '';
  const error = errorOf(d);
  let text: string;
  switch (ev.type) {
    case 'Login':
    case 'Logout':
    case 'Activated':
    case 'Removed':
      text = user ?? '';
      break;
    case 'FileUploaded':
    case 'FileRemoved':
      text = `${fileSummary(d.file)}${by}`;
      break;
    case 'BucketUploaded':
    case 'BucketRemoved':
      text = `${bucketSummary(d.bucket)}${by}`;
      break;
    case 'Echo':
      text = `${typeof d.message === 'string' ? d.message : short(d.message)}${d.broadcast ? ' (broadcast)' : ''}`;
      break;
    case 'MetaRequest': {
      if (error) return `error: ${error}`;
      const who = str(d.username) ?? '';
      const prop = str(d.property);
      text = `${who}${prop ? `${who ? '.' : ''}${prop}` : `${who ? ' ' : ''}meta`} = ${short(d.val)}`;
      break;
    }
    default:
      return error ? `error: ${error}` : '';
  }
  return error ? `${text}${text ? ' ' : ''}(error: ${error})` : text;
}

/** The `http(s)://host[:port]` origin of a ws(s) URL: what a browser page on that host would send. */
export function originOf(url: string): string {
  const u = new URL(url);
  const scheme = u.protocol === 'wss:' || u.protocol === 'https:' ? 'https:' : 'http:';
  return `${scheme}//${u.host}`;
}

/**
 * The Echo evtail sends: both generations' fields, so an old server (eventType) and a newer one (type) both
 * recognise it; each ignores the other's field.
 */
export function echoFrame(message: string): string {
  return JSON.stringify({ eventType: 10, type: 'Echo', message });
}

/** --send text → the frame to send, or why it is not acceptable. */
export function checkSendJson(text: string): { ok: true; frame: string } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${(err as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'expected a JSON object (the server only accepts event objects)' };
  return { ok: true, frame: JSON.stringify(value) };
}

/** Which generation a token is in, when it says. */
export function generationOf(token: Token): Generation | undefined {
  if (typeof token.type === 'string' && token.type) return 'string';
  if (typeof token.eventType === 'number') return 'numeric';
  return undefined;
}

/**
 * A MetaRequest in the server's generation: `{eventType:9,…}` (numeric) or `{type:"MetaRequest",…}` (the current
 * server's only inbound instruction, socket-api.ts; it ignores eventType).
 */
export function metaFrame(meta: Token, generation: Generation): string {
  const { type: _type, eventType: _eventType, ...rest } = meta;
  return JSON.stringify(generation === 'numeric' ? { eventType: 9, ...rest } : { type: 'MetaRequest', ...rest });
}

/** Is `token` the server's answer to `asked` (a MetaRequest, or an Echo of the same message)? */
export function isReplyTo(token: Token, asked: Token): boolean {
  const kind = eventName(token);
  if (kind !== eventName(asked)) return false;
  if (kind === 'MetaRequest') return errorOf(token) !== undefined || token.username === asked.username;
  if (kind === 'Echo') return JSON.stringify(token.message) === JSON.stringify(asked.message);
  return false;
}
