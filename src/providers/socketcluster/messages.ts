/** A SocketCluster channel publish → TailEvent, and the replay decoder (the link's own codec, transport/sc-codec.ts). */
import type { TailEvent } from '../../types.js';
import type { DecodeResult, FrameDecoder } from '../spec.js';
import { receivedAt } from '../../transport/received-at.js';
import { idFrom } from '../../json/spans.js';
import { isPing, parseScFrame } from '../../transport/sc-codec.js';
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
