/** A SocketCluster channel publish → TailEvent. Kept free of socketcluster-client so tests and replay stay light. */
import type { TailEvent } from '../../types.js';
import type { DecodeResult, FrameDecoder } from '../spec.js';
import { receivedAt } from '../../transport/received-at.js';
import { idFrom, payloadSlice, spanAt } from '../../json/spans.js';
import { objectRest } from '../../json/summary.js';

export const PROVIDER = 'socketcluster';

function text(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/**
 * type = the message's `type` (or `event`) when it is an object with one, else `message`; id = its `id` (a number
 * keeps its digits); json = the message's own text in the frame (see parseScFrame).
 */
export function publishEvent(channel: string, data: unknown, raw: string, time = receivedAt(), json?: string): TailEvent {
  let type = 'message';
  let id: string | undefined;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const d = data as Record<string, unknown>;
    type = text(d.type) ?? text(d.event) ?? type;
    id = idFrom(d.id, json, ['id']);
  }
  const ev: TailEvent = { time, provider: PROVIDER, type, channel, data, json, raw };
  if (id !== undefined) ev.id = id;
  return ev;
}

/** What one packet of a received frame asks of the client, in frame order. */
export type ScItem =
  /** json: the published message's own text in the frame (absent when the packet has no data.data). */
  | { kind: 'publish'; channel: string; data: unknown; json?: string }
  /** A server transmit that is not a publish nor one of the client's own (#…) events. */
  | { kind: 'transmit'; event: string; data: unknown }
  | { kind: 'invalid'; reason: string };

export type ScFrame =
  | { ok: false; reason: string }
  | {
      ok: true;
      /** The parsed JSON, handed back to socketcluster-client. */
      packet: unknown;
      /** Tokens handed out by #setAuthToken: secrets before the frame is shown anywhere. */
      tokens: string[];
      items: ScItem[];
    };

/**
 * A received frame (not a ping) as the link reads it: JSON (a packet, or a batch of them) or not. Responses (rid)
 * and server invokes (cid) carry no events; a #publish without a channel is undecodable.
 */
export function parseScFrame(message: string): ScFrame {
  let packet: unknown;
  try {
    packet = JSON.parse(message);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const packets = Array.isArray(packet) ? packet : [packet];
  const tokens: string[] = [];
  const items: ScItem[] = [];
  const batch = Array.isArray(packet);
  for (let n = 0; n < packets.length; n++) {
    const p: unknown = packets[n];
    if (!p || typeof p !== 'object') continue;
    const { event, data, cid } = p as { event?: unknown; data?: unknown; cid?: unknown };
    if (event === '#setAuthToken') {
      const token = (data as { token?: unknown } | null | undefined)?.token;
      if (typeof token === 'string' && token !== '') tokens.push(token);
    }
    if (typeof event !== 'string' || typeof cid === 'number') continue; // responses (rid) and server invokes
    if (event === '#publish') {
      const d = data as { channel?: unknown; data?: unknown } | null;
      if (!d || typeof d.channel !== 'string') items.push({ kind: 'invalid', reason: '#publish without a channel' });
      else items.push({ kind: 'publish', channel: d.channel, data: d.data, json: messageText(message, batch ? [n, 'data', 'data'] : ['data', 'data']) });
    } else if (!event.startsWith('#')) {
      items.push({ kind: 'transmit', event, data });
    }
  }
  return { ok: true, packet, tokens, items };
}

/** The text of the value at a path of a valid frame, as the envelope prints it. */
function messageText(frame: string, path: (string | number)[]): string | undefined {
  const span = spanAt(frame, path);
  return span && payloadSlice(frame, span[0], span[1]);
}

/** Pings of either protocol version ('' in 2; '#1' and its pong '#2' in 1): the client answers them itself. */
export function isPing(frame: string): boolean {
  return frame === '' || frame === '#1' || frame === '#2';
}

/** One received frame → what the link does with it (for `evtail replay`). */
export function decodeReceived(frame: string, time: string): DecodeResult {
  if (isPing(frame)) return { kind: 'control' };
  const f = parseScFrame(frame);
  if (!f.ok) return { kind: 'invalid', reason: f.reason };
  const events: TailEvent[] = [];
  let invalid: string | undefined;
  for (const item of f.items) {
    if (item.kind === 'publish') events.push(publishEvent(item.channel, item.data, frame, time, item.json));
    else if (item.kind === 'invalid') invalid ??= item.reason;
  }
  // A batch with publishes and a broken one: the live run prints the publishes and warns; a replay result is one or the other.
  if (events.length) return { kind: 'events', events };
  return invalid !== undefined ? { kind: 'invalid', reason: invalid } : { kind: 'control' };
}

/**
 * One recorded frame → the publishes in it (a frame may be a batch). Frames that carry no publish
 * (handshake, pings, acks) give none.
 */
export function decode(frame: string, time = receivedAt()): TailEvent[] {
  const r = decodeReceived(frame, time);
  return r.kind === 'events' ? r.events : [];
}

/**
 * For `evtail replay`: stateless. The link prints every #publish it reads, whatever the channel (the server only
 * publishes what we subscribed to); sent frames (handshake, #subscribe, pongs) are control.
 */
export function createDecoder(): FrameDecoder {
  return (dir, frame, time) => (dir === 'in' ? decodeReceived(frame, time) : { kind: 'control' });
}

/** The pretty one-liner: the message without the keys already shown (type, id), or the value itself. */
export function summarize(ev: TailEvent): string {
  const d = ev.data;
  if (typeof d === 'string') return d;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return ev.json ?? JSON.stringify(d) ?? '';
  const rest = objectRest(ev, (k, v) => ((k === 'type' || k === 'event') && (v.string ?? v.text) === ev.type) || (k === 'id' && ev.id !== undefined));
  return `${ev.id !== undefined ? `#${ev.id} ` : ''}${rest}`;
}
