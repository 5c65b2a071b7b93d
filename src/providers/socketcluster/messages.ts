/** A SocketCluster channel publish → TailEvent. Kept free of socketcluster-client so tests and replay stay light. */
import type { TailEvent } from '../../types.js';

export const PROVIDER = 'socketcluster';

function text(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** type = the message's `type` (or `event`) when it is an object with one, else `message`; id = its `id`. */
export function publishEvent(channel: string, data: unknown, raw: string, time = new Date().toISOString()): TailEvent {
  let type = 'message';
  let id: string | undefined;
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const d = data as Record<string, unknown>;
    type = text(d.type) ?? text(d.event) ?? type;
    id = text(d.id);
  }
  const ev: TailEvent = { time, provider: PROVIDER, type, channel, data, raw };
  if (id !== undefined) ev.id = id;
  return ev;
}

/**
 * One recorded frame → the publishes in it (a frame may be a batch). Frames that carry no publish
 * (handshake, pings, acks) give none.
 */
export function decode(frame: string, time = new Date().toISOString()): TailEvent[] {
  if (frame === '' || frame === '#1' || frame === '#2') return [];
  let packet: unknown;
  try {
    packet = JSON.parse(frame);
  } catch {
    return [];
  }
  const out: TailEvent[] = [];
  for (const p of Array.isArray(packet) ? packet : [packet]) {
    const d = (p as { event?: unknown; data?: { channel?: unknown; data?: unknown } } | null) ?? {};
    if (d.event === '#publish' && d.data && typeof d.data.channel === 'string') out.push(publishEvent(d.data.channel, d.data.data, frame, time));
  }
  return out;
}

/** The pretty one-liner: the message without the keys already shown (type, id), or the value itself. */
export function summarize(ev: TailEvent): string {
  const d = ev.data;
  if (typeof d === 'string') return d;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return JSON.stringify(d) ?? '';
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d as Record<string, unknown>)) {
    if ((k === 'type' || k === 'event') && String(v) === ev.type) continue;
    if (k === 'id' && ev.id !== undefined) continue;
    rest[k] = v;
  }
  const keys = Object.keys(rest);
  const shown = keys.length === 1 && rest[keys[0]!] !== null && typeof rest[keys[0]!] === 'object' ? rest[keys[0]!] : rest;
  const json = JSON.stringify(shown) ?? '';
  return `${ev.id !== undefined ? `#${ev.id} ` : ''}${json === '{}' ? '' : json}`;
}
