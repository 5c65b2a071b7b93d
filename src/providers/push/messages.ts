/**
 * Push over SocketCluster protocol version 1 (seed 002, protocols.md §3): wire types, decoding and the envelope.
 * Pure functions: the driver, the mock, replay and the tests use them.
 */
import type { TailEvent } from '../../types.js';
import type { DecodeResult, FrameDecoder } from '../spec.js';
import { idFrom } from '../../json/spans.js';
import { parseScFrame } from '../../transport/sc-codec.js';

/**
 * The registerUser answer: a JSON string `{"urn":"…"}` (what Push sends); an object with `urn` is accepted too.
 * Anything without a non-empty string urn is a refusal.
 */
export function parseRegisterReply(reply: unknown): { urn: string } | { error: string } {
  let value = reply;
  if (typeof reply === 'string') {
    try {
      value = JSON.parse(reply);
    } catch {
      return { error: `registerUser answered ${preview(reply)}, not JSON` };
    }
  }
  if (typeof value === 'object' && value !== null) {
    const urn = (value as { urn?: unknown }).urn;
    if (typeof urn === 'string' && urn.length > 0) return { urn };
  }
  return { error: `registerUser answered without an urn: ${preview(typeof reply === 'string' ? reply : JSON.stringify(reply) ?? String(reply))}` };
}

/** A message as Push publishes it. Fields seen: to, text, quick_replies; the rest is kept as sent. */
export interface PushMessage {
  type?: string;
  to?: string;
  from?: string;
  id?: string | number;
  text?: string;
  quick_replies?: (string | { title?: string; text?: string; payload?: string })[];
  /** Some Push deployments nest the content: {type:'message', to, message:{type:'text', text, quick_replies}}. */
  message?: { type?: string; text?: string; id?: string | number; quick_replies?: PushMessage['quick_replies'] };
  [k: string]: unknown;
}

export type Classified = { event: TailEvent } | { skip: string } | { error: string };

/**
 * One message from our urn's channel → envelope. Kept only when `to` is our urn (the seed's check);
 * type = the message's own type, else "message"; channel = the urn; id = the message id when it has one (a number
 * keeps its digits); json = the message's own text in the frame, printed as `data`.
 */
export function toEvent(msg: unknown, urn: string, time: string, raw?: string, json?: string): Classified {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return { error: 'a message that is not a JSON object' };
  const m = msg as PushMessage;
  if (m.to !== urn) return { skip: typeof m.to === 'string' ? `addressed to ${m.to}` : 'without a "to"' };
  const type = typeof m.type === 'string' && m.type ? m.type : 'message';
  const ev: TailEvent = { time, provider: 'push', type, channel: urn, data: msg, json, raw };
  const inner = m.id === undefined || m.id === null;
  const id = inner ? m.message?.id : m.id;
  if (typeof id === 'string' || typeof id === 'number') ev.id = idFrom(id, json, inner ? ['message', 'id'] : ['id']) ?? String(id);
  return { event: ev };
}

/**
 * For `evtail replay`: what the driver (on ScLink, the same codec) makes of each frame, with its state.
 *
 * State: the channels subscribed on the current connection. ScLink hands a #publish to the driver
 * only for a channel it has subscribed (or is subscribing) to on that socket; the driver subscribes to exactly one
 * channel, its urn (registerUser's answer, or --urn), so a #subscribe we sent is where the urn is learned. A
 * #handshake we sent starts a new connection (a new client socket, nothing subscribed yet); a #kickOut drops the
 * channel. Each message on the urn then goes through the driver's own toEvent: only those whose `to` is the urn
 * are printed. Pings (#1/#2), handshake and registerUser answers, and skipped messages are control.
 */
export function createDecoder(): FrameDecoder {
  let subscribed = new Set<string>();
  return (dir, frame, time): DecodeResult => {
    // Protocol version 1: '#1' and '#2' are the pings; '' is not (the live link warns about it too).
    if (frame === '#1' || frame === '#2') return { kind: 'control' };
    const f = parseScFrame(frame);
    if (dir === 'out') {
      for (const item of f.ok ? f.items : []) {
        if (item.kind !== 'control') continue;
        if (item.event === '#handshake') subscribed = new Set();
        const channel = (item.data as { channel?: unknown } | null | undefined)?.channel;
        if (item.event === '#subscribe' && typeof channel === 'string') subscribed.add(channel);
      }
      return { kind: 'control' };
    }
    if (!f.ok) return { kind: 'invalid', reason: f.reason };
    const events: TailEvent[] = [];
    let invalid: string | undefined;
    for (const item of f.items) {
      if (item.kind === 'control' && item.event === '#kickOut') {
        const channel = (item.data as { channel?: unknown } | null | undefined)?.channel;
        if (typeof channel === 'string') subscribed.delete(channel);
      }
      if (item.kind !== 'publish' || !subscribed.has(item.channel)) continue;
      const c = toEvent(item.data, item.channel, time, frame, item.json);
      if ('event' in c) events.push(c.event);
      else if ('error' in c) invalid ??= c.error;
    }
    // A batch with messages and a broken one: the live run prints the messages and warns; a result is one or the other.
    if (events.length) return { kind: 'events', events };
    return invalid !== undefined ? { kind: 'invalid', reason: invalid } : { kind: 'control' };
  };
}

/** A quick reply as text: a string, or an object's title/text/payload (both Push protocols). */
export function replyText(r: unknown): string | undefined {
  if (typeof r === 'string') return r;
  if (typeof r === 'object' && r !== null) {
    const o = r as { title?: unknown; text?: unknown; payload?: unknown };
    for (const v of [o.title, o.text, o.payload]) if (typeof v === 'string') return v;
  }
  return undefined;
}

/** Pretty: the text, then the quick replies a person could tap. */
export function summarize(ev: TailEvent): string {
  const m = ev.data as PushMessage;
  if (typeof m !== 'object' || m === null) return '';
  const inner = typeof m.message === 'object' && m.message !== null ? m.message : undefined;
  const text = typeof m.text === 'string' ? m.text : typeof inner?.text === 'string' ? inner.text : undefined;
  const replies = (Array.isArray(m.quick_replies) ? m.quick_replies : Array.isArray(inner?.quick_replies) ? inner.quick_replies : [])
    .map(replyText)
    .filter((r): r is string => r !== undefined);
  const from = typeof m.from === 'string' && m.from ? `${m.from}: ` : '';
  const shown = text ?? (m.attachments || m.media || m.media_url ? '[attachment]' : '');
  if (!shown && !replies.length) return '';
  const quick = replies.length ? `${shown ? '  ' : ''}[${replies.join(' | ')}]` : '';
  return `${from}${shown}${quick}`;
}

/**
 * The default endpoint and the driver's URL: `wss://<host>/socketcluster/?channelUUID=…&hostApi=…`.
 * With --url, the query keeps what the URL has and gains channelUUID/hostApi from the options when it lacks them.
 * A host given with a scheme (https://…, ws://…) keeps it (http → ws, https → wss).
 */
export function pushUrl(opts: { url?: string; host?: string; channelUuid?: string; hostApi?: string }): URL {
  let url: URL;
  if (opts.url) {
    url = new URL(opts.url);
  } else {
    const host = String(opts.host ?? '').trim();
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host.replace(/^http(s?):/i, 'ws$1:') : `wss://${host}`;
    url = new URL(withScheme);
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/socketcluster/';
  }
  if (opts.channelUuid && !url.searchParams.has('channelUUID')) url.searchParams.set('channelUUID', opts.channelUuid);
  if (opts.hostApi && !url.searchParams.has('hostApi')) url.searchParams.set('hostApi', opts.hostApi);
  return url;
}

function preview(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 80 ? `${one.slice(0, 77)}...` : one;
}
