/**
 * Weni's web-chat socket (weni-ai/weni-webchat-socket, the plain-WebSocket server Weni moved its web chat to in
 * 2021): wire types, the frames evtail sends, decoding and the pretty summary. Pure functions: the driver, the
 * mock, replay and the tests use them. docs/providers/push.md cites the source each rule comes from.
 */
import type { TailEvent } from '../../types.js';
import type { DecodeResult, FrameDecoder } from '../spec.js';
import { parseJsonObject } from '../json.js';
import { replyText } from './messages.js';
import { arrayItems, payloadSlice, spanAt, wholeValue } from '../../json/spans.js';

/** `message` of a payload (pkg/websocket/payload.go Message; the history copy in pkg/history/models.go). */
export interface WeniMessage {
  type?: string;
  timestamp?: string;
  text?: string;
  media?: string;
  media_url?: string;
  caption?: string;
  latitude?: string;
  longitude?: string;
  quick_replies?: unknown[];
  list_message?: { button_text?: string; list_items?: { title?: string }[] };
  cta_message?: { url?: string; display_text?: string };
  messageId?: string;
  /** Not in the Go server's struct; the legacy client reads it where a server sends it. */
  metadata?: { quick_replies?: unknown[] };
  [k: string]: unknown;
}

/** One entry of `history` (ready_for_message's data.history, or a get_history answer). `ID` is Mongo's _id. */
export interface WeniHistoryEntry {
  ID?: string;
  contact_urn?: string;
  direction?: string;
  timestamp?: number;
  channel_uuid?: string;
  message?: WeniMessage;
}

/** What the server sends (IncomingPayload; HistoryPayload for `history`). */
export interface WeniPayload {
  type: string;
  to?: string;
  from?: string;
  error?: string;
  message?: WeniMessage;
  token?: string;
  warning?: string;
  channel_uuid?: string;
  data?: Record<string, unknown>;
  history?: WeniHistoryEntry[];
  /** Not in the Go server's struct either; accepted from servers that put it beside the message. */
  metadata?: { quick_replies?: unknown[] };
  [k: string]: unknown;
}

/** Answers to a duplicate registration (client.go ErrorIDAlreadyExists, ErrorOriginalHandlerDead). */
export const ERROR_ID_EXISTS = 'unable to register: client from already exists';
export const ERROR_HANDLER_DEAD = 'unable to register: original handler is dead, wait for unregister to register again';
/** close_session from another client (client.go CloseClientSession). */
export const WARNING_CLOSED_BY_REQUEST = 'Connection closed by request';
/** The legacy client pings every 50 s (Ilhasoft/weni-webchannel, Widget pingSocket). */
export const WENI_PING_INTERVAL_MS = 50_000;
/** ready_for_message carries the last 20 messages; get_history pages with this limit too (the legacy client's). */
export const HISTORY_LIMIT = 20;

export type ParsedPayload = { ok: true; payload: WeniPayload } | { ok: false; reason: string };

export function parsePayload(text: string): ParsedPayload {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return parsed;
  const type = (parsed.value as { type?: unknown }).type;
  if (typeof type !== 'string' || type === '') return { ok: false, reason: 'no "type"' };
  return { ok: true, payload: parsed.value as WeniPayload };
}

// ---------- frames evtail sends ----------

export interface RegisterOptions {
  from: string;
  callback: string;
  token?: string;
  trigger?: string;
}

/** `{"type":"register","from","callback"[,"token"][,"trigger"]}` (validateOutgoingPayloadRegister: from and callback required). */
export function registerFrame(o: RegisterOptions): string {
  const frame: Record<string, string> = { type: 'register', from: o.from, callback: o.callback };
  if (o.token) frame.token = o.token;
  if (o.trigger) frame.trigger = o.trigger;
  return JSON.stringify(frame);
}

/** A text message, as the web chat sends one (the server fills in from and callback). */
export function textFrame(text: string): string {
  return JSON.stringify({ type: 'message', message: { type: 'text', text } });
}

/** The keep-alive the legacy client sends; the server answers {"type":"pong"}. */
export function pingFrame(): string {
  return JSON.stringify({ type: 'ping', message: {} });
}

export function historyFrame(limit = HISTORY_LIMIT, page = 1): string {
  return JSON.stringify({ type: 'get_history', params: { limit, page } });
}

/**
 * The callback a registration names: `<host-api>/c/wwc/<channel uuid>/receive` (the legacy client builds it so;
 * the server takes the channel UUID from its second-to-last segment).
 */
export function callbackUrl(hostApi: string, channelUuid: string): string {
  return `${hostApi.replace(/\/+$/, '')}/c/wwc/${channelUuid}/receive`;
}

/** The endpoint: `wss://<host>/ws` (pkg/websocket/handler.go SetupRoutes); a bare --host gets /ws. */
export function weniUrl(opts: { url?: string; host?: string }): URL {
  if (opts.url) return new URL(opts.url);
  const host = String(opts.host ?? '').trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host.replace(/^http(s?):/i, 'ws$1:') : `wss://${host}`;
  const url = new URL(withScheme);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/ws';
  return url;
}

/** A fresh identity, in the legacy client's shape `<random>@<client id>`. */
export function newFrom(random: () => number = Math.random): string {
  return `${Math.floor(random() * Date.now())}@evtail`;
}

// ---------- decoding ----------

/** Frames that are protocol, not events: the keep-alive answer, and the registration answer (its history is shown with --history). */
export function isControl(p: WeniPayload): boolean {
  return p.type === 'pong' || p.type === 'ready_for_message';
}

/** The history entries a payload carries: ready_for_message's data.history, or a `history` answer's history. */
export function historyOf(p: WeniPayload): WeniHistoryEntry[] | undefined {
  let list: unknown;
  if (p.type === 'history') list = p.history ?? []; // Go omits an empty history
  else if (p.type === 'ready_for_message' && typeof p.data === 'object' && p.data !== null && 'history' in p.data) list = p.data.history ?? []; // nil slice → null: no history yet
  else return undefined; // an older server's ready_for_message has no data
  return Array.isArray(list) ? (list.filter((e) => typeof e === 'object' && e !== null) as WeniHistoryEntry[]) : [];
}

/** A payload → its envelope. type = the payload's type; id = message.messageId when present; channel = our identity. */
export function toEvent(p: WeniPayload, time: string, from: string | undefined, raw?: string): TailEvent {
  const ev: TailEvent = { time, provider: 'push', type: p.type, data: p, json: raw === undefined ? undefined : wholeValue(raw), raw };
  const id = p.message?.messageId;
  if (typeof id === 'string' && id) ev.id = id;
  const channel = from ?? (typeof p.to === 'string' && p.to ? p.to : undefined);
  if (channel) ev.channel = channel;
  return ev;
}

/**
 * The history a payload carries (see historyOf) as events of type `history`, each printed as its own text in
 * `raw` (the frame) when given.
 */
export function historyEvents(p: WeniPayload, time: string, from: string | undefined, raw?: string): TailEvent[] | undefined {
  const entries = historyOf(p);
  if (!entries) return undefined;
  // The texts of the array's objects, in order: historyOf keeps exactly the objects.
  const span = raw === undefined ? undefined : spanAt(raw, p.type === 'history' ? ['history'] : ['data', 'history']);
  const texts = span && raw ? arrayItems(raw, span[0]).filter(([s]) => raw.charCodeAt(s) === 123).map(([s, e]) => payloadSlice(raw, s, e)) : [];
  return entries.map((e, k) => historyEvent(e, time, from, raw, texts.length === entries.length ? texts[k] : undefined));
}

/** One history entry → an event of type `history` (time stays evtail's; the entry keeps its own timestamp). */
export function historyEvent(entry: WeniHistoryEntry, time: string, from: string | undefined, raw?: string, json?: string): TailEvent {
  const ev: TailEvent = { time, provider: 'push', type: 'history', data: entry, json, raw };
  if (typeof entry.ID === 'string' && entry.ID) ev.id = entry.ID;
  if (from) ev.channel = from;
  return ev;
}

/**
 * For `evtail replay` of a Weni recording: the identity comes from the register frame sent; history entries are
 * printed only if the recording asked for them (a get_history was sent, or the run had --history).
 */
export function createWeniDecoder(options: Record<string, unknown>): FrameDecoder {
  let from: string | undefined;
  let wantHistory = options.history === true;
  return (dir, frame, time): DecodeResult => {
    const parsed = parsePayload(frame);
    if (dir === 'out') {
      if (parsed.ok && parsed.payload.type === 'register' && typeof parsed.payload.from === 'string') from = parsed.payload.from;
      if (parsed.ok && parsed.payload.type === 'get_history') wantHistory = true;
      return { kind: 'control' };
    }
    if (!parsed.ok) return { kind: 'invalid', reason: parsed.reason };
    const p = parsed.payload;
    const events = historyEvents(p, time, from, frame);
    if (events) return wantHistory && events.length ? { kind: 'events', events } : { kind: 'control' };
    if (isControl(p)) return { kind: 'control' };
    return { kind: 'events', events: [toEvent(p, time, from, frame)] };
  };
}

// ---------- pretty ----------

/** Quick replies from message.quick_replies, else message.metadata.quick_replies, else the payload's metadata. */
export function quickReplies(m: WeniMessage | undefined, p?: WeniPayload): string[] {
  const lists = [m?.quick_replies, m?.metadata?.quick_replies, p?.metadata?.quick_replies];
  const list = lists.find((l) => Array.isArray(l) && l.length > 0) ?? [];
  return list.map(replyText).filter((r): r is string => r !== undefined && r !== '');
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** One message: text, or media (kind, URL, caption), or a location; then the quick replies, a list's items, a link. */
export function describeMessage(m: WeniMessage | undefined, p?: WeniPayload): string {
  if (!m || typeof m !== 'object') return '';
  const kind = str(m.type) ?? '';
  const parts: string[] = [];
  if (kind === 'location') {
    parts.push(`location ${str(m.latitude) ?? '?'},${str(m.longitude) ?? '?'}`);
  } else if (kind !== 'text' && (str(m.media_url) || str(m.media))) {
    const where = str(m.media_url) ?? '(inline data)';
    parts.push(`${kind || 'media'} ${where}${str(m.caption) ? ` "${m.caption}"` : ''}`);
    if (str(m.text)) parts.push(m.text!);
  } else if (str(m.text)) {
    parts.push(m.text!);
  } else if (kind && kind !== 'text') {
    parts.push(`[${kind}]`);
  }
  const items = m.list_message?.list_items?.map((i) => str(i?.title)).filter((t): t is string => t !== undefined) ?? [];
  if (items.length) parts.push(`${str(m.list_message?.button_text) ?? 'list'}: ${items.join(' / ')}`);
  if (str(m.cta_message?.url)) parts.push(`${str(m.cta_message?.display_text) ?? 'link'} <${m.cta_message!.url}>`);
  const replies = quickReplies(m, p);
  if (replies.length) parts.push(`[${replies.join(' | ')}]`);
  return parts.join('  ');
}

/** Pretty, for every kind the server sends. */
export function summarizeWeni(ev: TailEvent): string {
  const d = ev.data as WeniPayload & WeniHistoryEntry;
  if (typeof d !== 'object' || d === null) return '';
  if (ev.type === 'history') {
    const who = d.direction === 'in' ? 'bot' : d.direction === 'out' ? 'me' : (d.direction ?? '?');
    return `${who}: ${describeMessage(d.message)}`;
  }
  switch (d.type) {
    case 'message': {
      const from = str(d.from) ? `${d.from}: ` : '';
      return `${from}${describeMessage(d.message, d)}`;
    }
    case 'ack':
      return `sent ${describeMessage(d.message)}`;
    case 'typing_start':
      return 'typing…';
    case 'error':
    case 'warning':
    case 'forbidden':
      return str(d.error) ?? str(d.warning) ?? '';
    case 'token':
      return 'another client registered with this identity; the server sent it our session token';
    default: {
      const text = str(d.error) ?? str(d.warning) ?? (d.message ? describeMessage(d.message, d) : '');
      if (text) return text;
      const data = d.data === undefined ? '' : JSON.stringify(d.data);
      return data.length > 120 ? `${data.slice(0, 117)}...` : data;
    }
  }
}

/** Kinds only Weni's server sends: how the push provider tells a Weni event from a SocketCluster Push message. */
const WENI_KINDS = new Set(['ack', 'typing_start', 'error', 'warning', 'forbidden', 'token', 'history', 'allow_contact_timeout', 'project_language', 'starters', 'voice_tokens', 'voice_tokens_error', 'utm_sent', 'utm_error', 'cart_updated', 'cart_error']);

export function isWeniEvent(ev: TailEvent): boolean {
  if (WENI_KINDS.has(ev.type)) return true;
  const d = ev.data as { message?: unknown; text?: unknown } | null;
  return ev.type === 'message' && typeof d === 'object' && d !== null && typeof d.message === 'object' && d.message !== null && d.text === undefined;
}
