/**
 * SocketCluster's wire format (protocol versions 1 and 2; both JSON), read in one place for the live link and
 * for `evtail replay` of every provider that speaks it (socketcluster, Push).
 *
 * A frame is a ping ('#1' and its pong '#2' in version 1, '' in version 2) or JSON: one packet or a batch (an
 * array) of them. A packet is an event ({event, data}, with a cid when it expects an answer) or an answer to one
 * ({rid, data, error}). Events named '#…' are the protocol's own (#handshake, #subscribe, #publish, #kickOut,
 * #setAuthToken, #removeAuthToken); any other is an application transmit.
 */
import { payloadSlice, spanAt } from '../json/spans.js';

/** What one packet of a frame says, in frame order. */
export type ScItem =
  /** json: the published message's own text in the frame (absent when the packet has no data.data). */
  | { kind: 'publish'; channel: string; data: unknown; json?: string }
  /** An application event (not #…), without a cid. */
  | { kind: 'transmit'; event: string; data: unknown }
  /** The protocol's own events other than #publish (#handshake, #subscribe, #kickOut, #setAuthToken…), and server invokes (cid). */
  | { kind: 'control'; event: string; data: unknown; cid?: number }
  /** An answer to one of our invokes. */
  | { kind: 'response'; rid: number; data: unknown; error: unknown }
  | { kind: 'invalid'; reason: string };

export type ScFrame =
  | { ok: false; reason: string }
  | {
      ok: true;
      /** Tokens handed out by #setAuthToken: secrets before the frame is shown anywhere. */
      tokens: string[];
      items: ScItem[];
    };

/** Pings of either protocol version ('' in 2; '#1' and its pong '#2' in 1). */
export function isPing(frame: string): boolean {
  return frame === '' || frame === '#1' || frame === '#2';
}

/** A frame that is not a ping → its packets, in order. Text that is not JSON does not decode. */
export function parseScFrame(message: string): ScFrame {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const batch = Array.isArray(value);
  const packets: unknown[] = batch ? (value as unknown[]) : [value];
  const isPacket = (p: unknown) => p !== null && typeof p === 'object' && !Array.isArray(p) && (typeof (p as { event?: unknown }).event === 'string' || typeof (p as { rid?: unknown }).rid === 'number');
  if (!packets.some(isPacket)) return { ok: false, reason: 'not a SocketCluster packet' };
  const tokens: string[] = [];
  const items: ScItem[] = [];
  for (let n = 0; n < packets.length; n++) {
    const p = packets[n];
    if (!p || typeof p !== 'object' || Array.isArray(p)) continue;
    const { event, data, cid, rid, error } = p as { event?: unknown; data?: unknown; cid?: unknown; rid?: unknown; error?: unknown };
    if (typeof event !== 'string') {
      if (typeof rid === 'number') items.push({ kind: 'response', rid, data, error });
      continue;
    }
    if (event === '#setAuthToken') {
      const token = (data as { token?: unknown } | null | undefined)?.token;
      if (typeof token === 'string' && token !== '') tokens.push(token);
    }
    if (event === '#publish' && typeof cid !== 'number') {
      const d = data as { channel?: unknown; data?: unknown } | null;
      if (!d || typeof d.channel !== 'string') items.push({ kind: 'invalid', reason: '#publish without a channel' });
      else items.push({ kind: 'publish', channel: d.channel, data: d.data, json: textAt(message, batch ? [n, 'data', 'data'] : ['data', 'data']) });
    } else if (event.startsWith('#') || typeof cid === 'number') {
      items.push({ kind: 'control', event, data, ...(typeof cid === 'number' ? { cid } : {}) });
    } else {
      items.push({ kind: 'transmit', event, data });
    }
  }
  return { ok: true, tokens, items };
}

/** The text of the value at a path of a valid frame, as the envelope prints it. */
function textAt(frame: string, path: (string | number)[]): string | undefined {
  const span = spanAt(frame, path);
  return span && payloadSlice(frame, span[0], span[1]);
}

/** An event packet as text: with a cid it expects an answer (an invoke), without one it is a transmit. */
export function encodeEvent(event: string, data: unknown, cid?: number): string {
  return JSON.stringify(cid === undefined ? { event, data } : { event, data, cid });
}

/** An answer to a server invoke. */
export function encodeResponse(rid: number, data?: unknown): string {
  return JSON.stringify(data === undefined ? { rid } : { rid, data });
}

/** An error a packet carried ({name, message} as socketcluster-server sends it) as an Error with that name. */
export function hydrateError(error: unknown): Error {
  if (error instanceof Error) return error;
  const e = (error ?? {}) as { name?: unknown; message?: unknown };
  const out = new Error(typeof e.message === 'string' ? e.message : typeof error === 'string' ? error : JSON.stringify(error));
  out.name = typeof e.name === 'string' ? e.name : 'Error';
  return out;
}
