/**
 * StreamElements Astro wire types and decoding (seed 003, protocols.md §4). Pure functions: the driver,
 * replay and the tests use them.
 */
import type { TailEvent } from '../../types.js';
import type { DecodeResult, FrameDecoder } from '../spec.js';
import { parseJsonObject } from '../json.js';
import { payloadSlice, spanAt } from '../../json/spans.js';

export const PROVIDER = 'streamelements';

/** Error codes of the Astro gateway (the published table plus what protocols.md adds). */
export const ErrorCode = {
  internal: 'err_internal_error',
  badRequest: 'err_bad_request',
  unauthorized: 'err_unauthorized',
  deadlineExceeded: 'err_deadline_exceeded',
  rateLimited: 'rate_limit_exceeded',
  invalidMessageType: 'invalid_message_type',
  /** The older docs' name for invalid_message_type. */
  invalidMessage: 'invalid_message',
} as const;

export interface ServerFrame {
  id?: string;
  ts?: string;
  /** welcome | response (the seed's table says RESPONSE: both accepted) | message | reconnect. */
  type: string;
  nonce?: string;
  error?: string;
  topic?: string;
  room?: string;
  data?: unknown;
  [k: string]: unknown;
}

export type Parsed = { ok: true; frame: ServerFrame; kind: string } | { ok: false; reason: string };

/** Text → a server frame; `kind` is the type in lower case. */
export function parseFrame(text: string): Parsed {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || type === '') return { ok: false, reason: 'no "type"' };
  return { ok: true, frame: value as ServerFrame, kind: type.toLowerCase() };
}

export interface SubscribeRequest {
  type: 'subscribe' | 'unsubscribe';
  nonce: string;
  data: { topic: string; room?: string; token: string; token_type: string };
}

export function subscribeRequest(nonce: string, topic: string, token: string, tokenType: string, room?: string): SubscribeRequest {
  return { type: 'subscribe', nonce, data: { topic, ...(room ? { room } : {}), token, token_type: tokenType } };
}

/** The server's own words for an error response (data.message), if it gave any. */
export function responseMessage(frame: ServerFrame): string | undefined {
  const d = frame.data as { message?: unknown } | undefined;
  return d && typeof d.message === 'string' && d.message ? d.message : undefined;
}

/** A `message` frame → the envelope: type = topic, id = message id, topic and room set, data = its own text in `raw`. */
export function toEvent(frame: ServerFrame, time: string, raw?: string, fallbackRoom?: string): TailEvent | { error: string } {
  if (typeof frame.topic !== 'string' || frame.topic === '') return { error: 'message without a "topic"' };
  if (!('data' in frame)) return { error: 'message without "data"' };
  const span = raw === undefined ? undefined : spanAt(raw, ['data']);
  const json = span && payloadSlice(raw!, span[0], span[1]);
  const ev: TailEvent = { time, provider: PROVIDER, type: frame.topic, data: frame.data, json, raw };
  if (typeof frame.id === 'string' && frame.id) ev.id = frame.id;
  ev.topic = frame.topic;
  const room = typeof frame.room === 'string' && frame.room ? frame.room : fallbackRoom;
  if (room) ev.room = room;
  return ev;
}

/**
 * One received frame → what it means, as the driver takes it: a `message` is an event (the room falls back to
 * the one we subscribed in, as the driver's --room does); welcome, response, reconnect and any other type are
 * protocol traffic (control); what the driver warns about is invalid.
 */
export function decodeReceived(text: string, time: string, fallbackRoom?: string): DecodeResult {
  const parsed = parseFrame(text);
  if (!parsed.ok) return { kind: 'invalid', reason: parsed.reason };
  if (parsed.kind !== 'message') return { kind: 'control' };
  const ev = toEvent(parsed.frame, time, text, fallbackRoom);
  return 'error' in ev ? { kind: 'invalid', reason: ev.error } : { kind: 'events', events: [ev] };
}

/** The room a sent frame subscribes in: a string (possibly '' for none) for a subscribe request, else undefined. */
export function subscribedRoom(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const req = value as Partial<SubscribeRequest> | null;
  if (typeof req !== 'object' || req === null || req.type !== 'subscribe' || typeof req.data !== 'object' || req.data === null) return undefined;
  return typeof req.data.room === 'string' ? req.data.room : '';
}

/**
 * For `evtail replay`. State: the room. The driver's fallback room is --room, and every subscribe request it sends
 * carries it (or none): the recording's own subscribe frames say which, and win over `options.room` (which a
 * replay only gets from the environment or a config file).
 */
export function createDecoder(options: Record<string, unknown> = {}): FrameDecoder {
  let room = typeof options.room === 'string' && options.room ? options.room : undefined;
  return (dir, frame, time) => {
    if (dir === 'out') {
      const r = subscribedRoom(frame);
      if (r !== undefined) room = r || undefined;
      return { kind: 'control' };
    }
    return decodeReceived(frame, time, room);
  };
}

/** `reconnect` → its token (undefined when the frame carries none). */
export function reconnectToken(frame: ServerFrame): string | undefined {
  const d = frame.data as { reconnect_token?: unknown } | undefined;
  return d && typeof d.reconnect_token === 'string' && d.reconnect_token ? d.reconnect_token : undefined;
}

/** Mask a reconnect_token in a frame's text (JSON or URL form), for --verbose and --record. */
export function maskReconnectToken(text: string): string {
  return text.replace(/("reconnect_token"\s*:\s*")((?:[^"\\]|\\.)*)"/g, '$1***"').replace(/([?&]reconnect_token=)[^&\s"'#]+/g, '$1***');
}

// ---------- pretty summaries ----------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

function money(amount: unknown, currency: unknown): string | undefined {
  if (typeof amount !== 'number' && typeof amount !== 'string') return undefined;
  const n = Number(amount);
  const hasCurrency = typeof currency === 'string' && currency !== '';
  const text = Number.isFinite(n) ? (hasCurrency || !Number.isInteger(n) ? n.toFixed(2) : String(n)) : String(amount);
  return typeof currency === 'string' && currency ? `${text} ${currency}` : text;
}

function quoted(message: unknown): string | undefined {
  return typeof message === 'string' && message.trim() ? `"${message.trim()}"` : undefined;
}

const join = (parts: (string | undefined)[]): string => parts.filter((p): p is string => Boolean(p)).join(' · ');

/** A channel.activities item: `<type> · <provider> · <user> · <amount> · "<message>"`. */
export function summarizeActivity(a: Obj): string {
  const type = str(a.type) ?? 'activity';
  const inner = isObj(a.data) ? a.data : {};
  const user = str(inner.displayName) ?? str(inner.username) ?? str(inner.name);
  let amount: string | undefined;
  const n = inner.amount;
  switch (type) {
    case 'cheer':
      amount = n !== undefined ? `${str(n)} bits` : undefined;
      break;
    case 'raid':
    case 'host':
      amount = n !== undefined ? `${str(n)} viewers` : undefined;
      break;
    case 'subscriber': {
      const months = n !== undefined ? `${str(n)} month${Number(n) === 1 ? '' : 's'}` : undefined;
      const tier = str(inner.tier);
      const gift = str(inner.sender) ? `gift from ${str(inner.sender)}` : undefined;
      amount = join([months, tier ? `tier ${tier}` : undefined, gift]) || undefined;
      break;
    }
    default:
      amount = n !== undefined ? money(n, inner.currency) : undefined;
  }
  const flagged = a.flagged === true ? '(flagged)' : undefined;
  return join([type, str(a.provider), user, amount, quoted(inner.message), flagged]);
}

/** A channel.tips / channel.tips.moderation item: `tip · <user> · <amount> <currency> · "<message>"`. */
export function summarizeTip(t: Obj, moderation = false): string {
  const donation = isObj(t.donation) ? t.donation : {};
  const user = isObj(donation.user) ? (str(donation.user.username) ?? str(donation.user.name)) : str(donation.user);
  const status = str(t.status);
  const approved = str(t.approved);
  const state = moderation ? approved : status && status !== 'success' ? status : undefined;
  return join([moderation ? 'tip moderation' : 'tip', user, money(donation.amount, donation.currency), quoted(donation.message), state ? `(${state})` : undefined]);
}

/** channel.chat.message, as Twitch, YouTube or Kick shape it: `<user>: <text>`. */
export function summarizeChat(c: Obj): string {
  // Twitch (EventSub shape)
  if (c.chatter_user_name !== undefined || c.chatter_user_login !== undefined) {
    const text = isObj(c.message) ? str(c.message.text) : str(c.message);
    return `${str(c.chatter_user_name) ?? str(c.chatter_user_login)}: ${text ?? ''}`.trimEnd();
  }
  // YouTube (liveChatMessage)
  if (isObj(c.authorDetails) || isObj(c.snippet)) {
    const who = isObj(c.authorDetails) ? str(c.authorDetails.displayName) : undefined;
    const snip = isObj(c.snippet) ? c.snippet : {};
    const text = str(snip.displayMessage) ?? (isObj(snip.textMessageDetails) ? str(snip.textMessageDetails.messageText) : undefined);
    return `${who ?? '?'}: ${text ?? ''}`.trimEnd();
  }
  // Kick
  if (isObj(c.sender) || c.content !== undefined) {
    const who = isObj(c.sender) ? str(c.sender.username) : undefined;
    return `${who ?? '?'}: ${str(c.content) ?? ''}`.trimEnd();
  }
  const who = str(c.displayName) ?? str(c.username) ?? str(c.nick) ?? str(c.user);
  const text = str(c.text) ?? str(c.message);
  return who || text ? `${who ?? '?'}: ${text ?? ''}`.trimEnd() : '';
}

/** channel.stream.status: `live` / `offline`. */
export function summarizeStreamStatus(s: Obj): string {
  const live = s.isLive ?? s.live ?? s.online;
  if (typeof live === 'boolean') return join([live ? 'stream status: live' : 'stream status: offline', str(s.platform) ?? str(s.provider), str(s.title)]);
  const status = str(s.status);
  return status ? `stream status: ${status}` : '';
}

/** The pretty one-liner: what a person scanning the stream wants to see. */
export function summarize(ev: TailEvent): string {
  const d = ev.data;
  if (!isObj(d)) return typeof d === 'string' ? d : '';
  const topic = ev.topic ?? ev.type;
  if (topic === 'channel.activities' || (typeof d.activityId === 'string' && isObj(d.data))) return summarizeActivity(d);
  if (topic === 'channel.tips') return summarizeTip(d);
  if (topic === 'channel.tips.moderation') return summarizeTip(d, true);
  if (topic === 'channel.chat.message') return summarizeChat(d);
  if (topic === 'channel.stream.status') return summarizeStreamStatus(d);
  if (topic === 'channel.follow' && isObj(d.data)) return summarizeActivity({ type: 'follow', ...d });
  // Anything else: an activity-like or message-like payload still reads well; otherwise the printer's JSON fallback.
  if (typeof d.type === 'string' && isObj(d.data)) return summarizeActivity(d);
  if (typeof d.message === 'string') return d.message;
  return '';
}

/** The connection URL that asks the server to restore the last connection's subscriptions. */
export function withReconnectToken(url: string, token: string): string {
  try {
    const u = new URL(url);
    u.searchParams.set('reconnect_token', token);
    return u.toString();
  } catch {
    return `${url}${url.includes('?') ? '&' : '?'}reconnect_token=${encodeURIComponent(token)}`;
  }
}
