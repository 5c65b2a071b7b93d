/**
 * Doshii App WebSocket v3 wire shapes and decoding (seed 001, protocols.md §2). Pure functions: the driver,
 * the mock, replay and the tests use them.
 *
 * Frames the server sends, all JSON text:
 *   pong   {"doshii":{"pong":<ms>}}  or  {"type":"message","data":{"doshii":{"pong":<ms>,"version":"…"}}}
 *   ping   the server's own, in either of those shapes with "ping" (we answer with a pong; not an event)
 *   event  {"emit":["order_created",{…}]}  or  {"event":"order_created","data":{…}}
 * The {"type":"message","data":…} wrapper (a serialised browser MessageEvent) may hold any of them, its data
 * as an object or as JSON text: we unwrap it once before looking.
 */
import type { TailEvent } from '../../types.js';
import type { DecodeResult, FrameDecoder } from '../spec.js';
import { parseJsonObject } from '../json.js';
import { idFrom, payloadSlice, spanAt } from '../../json/spans.js';

export const DEFAULT_ENVIRONMENT = 'sandbox';
export const SOCKET_PATH = '/app/socket/v3';

/** The event names Doshii documents (others decode just the same). */
export const EVENT_NAMES = [
  'order_created', 'order_updated', 'order_preprocess',
  'transaction_created', 'transaction_updated',
  'booking_created', 'booking_updated',
  'checkin_created', 'checkin_updated', 'checkin_deleted',
  'table_created', 'table_updated', 'table_removed', 'table_bulk_updated',
  'menu_updated', 'app_menu_updated', 'app_menu_item_updated',
  'location_subscription', 'location_hours_updated', 'app_store_status_updated',
  'points_redemption', 'reward_redemption', 'card_activate', 'card_enquiry',
  'loyalty_checkin_created', 'loyalty_checkin_updated', 'loyalty_checkin_deleted',
] as const;

export type Frame =
  | { kind: 'pong'; value: unknown; wrapped: boolean }
  | { kind: 'ping'; value: unknown; wrapped: boolean }
  /** json: the payload's own text, as the envelope prints it (absent for "emit" without a payload: null). */
  | { kind: 'event'; name: string; payload: unknown; envelope: 'emit' | 'event'; wrapped: boolean; json?: string }
  /** A {"doshii":{…}} control frame that is neither ping nor pong: shown in --verbose only. */
  | { kind: 'control'; detail: string }
  | { kind: 'invalid'; reason: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function decodeFrame(text: string): Frame {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return { kind: 'invalid', reason: parsed.reason };
  let value: Obj = parsed.value;
  let wrapped = false;
  // Where the (unwrapped) object's text is: the frame, the wrapper's "data" in it, or the text a string "data" holds.
  let source = text;
  let at: number | undefined = 0;
  if (value.type === 'message' && 'data' in value && !('event' in value) && !('emit' in value)) {
    let inner = value.data;
    if (typeof inner === 'string') {
      try {
        inner = JSON.parse(inner);
      } catch {
        return { kind: 'invalid', reason: 'a "message" whose data is not JSON' };
      }
      source = value.data as string;
    } else {
      at = spanAt(text, ['data'])?.[0];
    }
    if (!isObj(inner)) return { kind: 'invalid', reason: 'a "message" whose data is not a JSON object' };
    value = inner;
    wrapped = true;
  }
  const frame = decodeObject(value as Obj, wrapped);
  if (frame.kind === 'event' && at !== undefined) {
    const span = spanAt(source, frame.envelope === 'emit' ? ['emit', 1] : ['data'], at);
    if (span) frame.json = payloadSlice(source, span[0], span[1]);
  }
  return frame;
}

function decodeObject(o: Obj, wrapped: boolean): Frame {
  if (isObj(o.doshii)) {
    const d = o.doshii;
    // A pong first: a server that echoes our ping inside its pong is still answering.
    if ('pong' in d) return { kind: 'pong', value: d.pong, wrapped };
    if ('ping' in d) return { kind: 'ping', value: d.ping, wrapped };
    return { kind: 'control', detail: JSON.stringify(d) };
  }
  if ('emit' in o) {
    const emit = o.emit;
    if (!Array.isArray(emit) || emit.length === 0) return { kind: 'invalid', reason: '"emit" is not a [name, payload] array' };
    const name = emit[0];
    if (typeof name !== 'string' || name === '') return { kind: 'invalid', reason: '"emit" without an event name' };
    return { kind: 'event', name, payload: emit.length > 1 ? emit[1] : null, envelope: 'emit', wrapped };
  }
  if ('event' in o) {
    const name = o.event;
    if (typeof name !== 'string' || name === '') return { kind: 'invalid', reason: '"event" is not a name' };
    return { kind: 'event', name, payload: 'data' in o ? o.data : null, envelope: 'event', wrapped };
  }
  return { kind: 'invalid', reason: 'neither an event ("emit"/"event") nor a "doshii" heartbeat' };
}

/**
 * An event frame → the envelope. type = the event name; id = payload.id where present (a number keeps its own
 * digits); data = the payload, printed as its own text.
 */
export function toEvent(frame: Extract<Frame, { kind: 'event' }>, time: string, raw?: string): TailEvent {
  const p = frame.payload;
  const id = isObj(p) ? idFrom(p.id, frame.json, ['id']) : undefined;
  return { time, provider: 'doshii', type: frame.name, ...(id !== undefined ? { id } : {}), data: p, json: frame.json, raw };
}

/**
 * One received frame → what it means, exactly as the driver takes it: an event is printed; pongs, server pings
 * and other {"doshii":…} frames are not (control); what the driver warns about is invalid.
 */
export function decodeReceived(text: string, time: string): DecodeResult {
  const frame = decodeFrame(text);
  switch (frame.kind) {
    case 'event':
      return { kind: 'events', events: [toEvent(frame, time, text)] };
    case 'invalid':
      return { kind: 'invalid', reason: frame.reason };
    default:
      return { kind: 'control' };
  }
}

/** For `evtail replay`: stateless. Sent frames (our pings, our pongs) are control. */
export function createDecoder(): FrameDecoder {
  return (dir, frame, time) => (dir === 'in' ? decodeReceived(frame, time) : { kind: 'control' });
}

/** The heartbeat the client sends: once on open (it completes the handshake), then every interval. */
export function pingFrame(nowMs: number, appVersion: string): string {
  return JSON.stringify({ doshii: { ping: nowMs, version: appVersion } });
}

/** Our answer to a server ping: its value echoed back, in the shape we send pings in. */
export function pongFrame(value: unknown, appVersion: string): string {
  return JSON.stringify({ doshii: { pong: value, version: appVersion } });
}

/** `auth` is base64 of the client id (UTF-8), nothing else: the client secret never goes on the socket. */
export function authToken(clientId: string): string {
  return Buffer.from(clientId, 'utf8').toString('base64');
}

/** A host label: what may stand in socket.<environment>.doshii.co. */
export function isEnvironmentName(name: string): boolean {
  return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(name);
}

export function baseUrlFor(environment: string): string {
  return `wss://socket.${environment}.doshii.co${SOCKET_PATH}`;
}

/**
 * base (the environment's endpoint or --url, in either published form: socket.<env>.doshii.co/app/socket/v3 or
 * <env>-socket.doshii.co/app/socket) + ?auth=<base64(clientId)>[&deviceId=<id>]. Each parameter appears once
 * (one already in --url is replaced, not repeated); a deviceId in --url is kept unless --device-id says
 * otherwise; any other query is kept.
 */
export function socketUrl(base: string, clientId: string, deviceId?: string): string {
  const url = new URL(base);
  url.searchParams.set('auth', authToken(clientId));
  if (deviceId) url.searchParams.set('deviceId', deviceId);
  else {
    const kept = url.searchParams.getAll('deviceId').filter((v) => v !== '');
    url.searchParams.delete('deviceId');
    if (kept.length) url.searchParams.set('deviceId', kept[kept.length - 1]!);
  }
  return url.toString();
}

/** Every form the client id takes on the wire, for redaction. */
export function clientIdForms(clientId: string): string[] {
  if (!clientId) return [];
  const b64 = authToken(clientId);
  const unpadded = b64.replace(/=+$/, '');
  return [...new Set([clientId, b64, encodeURIComponent(b64), unpadded, encodeURIComponent(unpadded), new URLSearchParams({ a: b64 }).toString().slice(2)])];
}

// --- pretty summaries ---

function text(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function locationOf(p: Obj): string | undefined {
  const loc = p.location;
  return text(p.locationId) ?? text(p.location_id) ?? (isObj(loc) ? text(loc.id) ?? text(loc.name) : text(loc));
}

/** Doshii amounts are integers in cents. */
function money(v: unknown): string | undefined {
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) return undefined;
  return `${n < 0 ? '-' : ''}$${(Math.abs(n) / 100).toFixed(2)}`;
}

function tables(p: Obj): string | undefined {
  const names = Array.isArray(p.tableNames) ? p.tableNames : Array.isArray(p.tables) ? p.tables.map((t) => (isObj(t) ? t.name : t)) : undefined;
  const list = names?.map(text).filter((x): x is string => x !== undefined);
  if (list?.length) return `table${list.length > 1 ? 's' : ''} ${list.join(', ')}`;
  const one = text(p.tableName) ?? text(p.table);
  return one ? `table ${one}` : undefined;
}

function covers(p: Obj): string | undefined {
  const c = text(p.covers);
  return c ? `${c} cover${c === '1' ? '' : 's'}` : undefined;
}

/** `2026-11-22T19:30:00+11:00` → `2026-11-22 19:30` (as the venue wrote it, no time-zone conversion). */
function when(v: unknown): string | undefined {
  const s = text(v);
  if (!s) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(s);
  return m ? `${m[1]} ${m[2]}` : s;
}

const join = (parts: (string | undefined | false)[]): string => parts.filter((x): x is string => typeof x === 'string' && x !== '').join(' · ');
const at = (p: Obj): string | undefined => {
  const loc = locationOf(p);
  return loc ? `location ${loc}` : undefined;
};

/** The ids, status and location a person scanning the stream wants; '' lets the printer fall back to JSON. */
export function summarize(ev: TailEvent): string {
  const p = ev.data;
  if (!isObj(p)) return '';
  const type = ev.type;
  // ev.id keeps a big number's digits; p.id went through JSON.parse.
  const id = ev.id ?? text(p.id);
  const status = text(p.status);
  if (type.startsWith('order_')) {
    return join([`order ${id ?? text(p.orderId) ?? '?'}`, status, text(p.type), text(p.checkinId) && `checkin ${text(p.checkinId)}`, money(p.totalAmount ?? p.amount), at(p)]);
  }
  if (type.startsWith('transaction_')) {
    return join([`transaction ${id ?? '?'}`, text(p.orderId) && `order ${text(p.orderId)}`, status, money(p.amount), at(p)]);
  }
  if (type.startsWith('booking_')) {
    return join([`booking ${id ?? '?'}`, status, covers(p), when(p.date), tables(p), at(p)]);
  }
  if (/^(loyalty_)?checkin_/.test(type)) {
    const what = type.startsWith('loyalty_') ? 'loyalty check-in' : 'check-in';
    return join([`${what} ${id ?? '?'}`, status, tables(p), covers(p), text(p.memberId) && `member ${text(p.memberId)}`, at(p)]);
  }
  if (type === 'table_bulk_updated') {
    const n = Array.isArray(p.tables) ? p.tables.length : undefined;
    return join([n !== undefined ? `${n} table${n === 1 ? '' : 's'}: ${(p.tables as unknown[]).map((t) => (isObj(t) ? text(t.name) : text(t)) ?? '?').join(', ')}` : 'tables', at(p)]);
  }
  if (type.startsWith('table_')) {
    const active = typeof p.isActive === 'boolean' ? (p.isActive ? 'active' : 'inactive') : undefined;
    return join([`table ${text(p.name) ?? id ?? '?'}`, covers(p), active, at(p)]);
  }
  if (type === 'app_menu_item_updated') {
    return join([`menu item ${text(p.posId) ?? id ?? '?'}`, text(p.name) && `"${text(p.name)}"`, status, at(p)]);
  }
  if (type.includes('menu')) {
    return join(['menu', text(p.version) && `version ${text(p.version)}`, status, at(p)]);
  }
  if (type.startsWith('location_') || type === 'app_store_status_updated') {
    const what = type === 'app_store_status_updated' ? status && `store ${status}` : type === 'location_hours_updated' ? 'opening hours changed' : status;
    return join([`location ${locationOf(p) ?? '?'}`, what]);
  }
  // Loyalty, cards, redemptions and anything newer: the ids, status and location we can find.
  return join([id && `#${id}`, status, text(p.cardNumber) && `card ${text(p.cardNumber)}`, text(p.memberId) && `member ${text(p.memberId)}`, text(p.points) && `${text(p.points)} points`, money(p.amount), at(p)]);
}
