/**
 * The envelope serialisation: one TailEvent → its NDJSON line (without the newline). The one place an event
 * becomes JSON: stdout's ndjson format and every sink (--record's events, --forward-to, --publish) take this
 * line; nothing serialises an event twice.
 *
 * `data` is the payload's own JSON text (ev.json, sliced from the frame by the decoder), so a tweet id
 * 1729384756123456789, 1.10, 1e400, -0, "\u00e9" and the key order reach the reader as the server sent them.
 * Only a payload without text of its own (built by evtail: --meta records, base64 of a binary frame, a text frame
 * that is not JSON) is serialised with JSON.stringify. Built by hand: the key order is the contract and it is the
 * hot path.
 */
import type { TailEvent } from '../types.js';

/** Events of one millisecond share their time string, and a run has one provider: quote each once. */
let lastTime = '';
let lastTimeJson = '""';
let lastProvider = '';
let lastSource: string | undefined;
let lastHead = '';

export function envelopeLine(ev: TailEvent): string {
  return envelopeHead(ev) + payloadJson(ev) + '}';
}

/** The envelope up to its `data` value: `{"time":…,"type":…,"data":`. The line is head + payload + `}`. */
export function envelopeHead(ev: TailEvent): string {
  if (ev.time !== lastTime) {
    lastTime = ev.time;
    lastTimeJson = JSON.stringify(ev.time);
    lastHead = '';
  }
  if (ev.provider !== lastProvider || ev.source !== lastSource || lastHead === '') {
    lastProvider = ev.provider;
    lastSource = ev.source;
    lastHead = '{"time":' + lastTimeJson + ',"provider":' + JSON.stringify(ev.provider) + (ev.source === undefined ? '' : ',"source":' + JSON.stringify(ev.source)) + ',"type":';
  }
  let line = lastHead + JSON.stringify(ev.type);
  if (ev.id !== undefined) line += ',"id":' + JSON.stringify(ev.id);
  if (ev.topic !== undefined) line += ',"topic":' + JSON.stringify(ev.topic);
  if (ev.channel !== undefined) line += ',"channel":' + JSON.stringify(ev.channel);
  if (ev.room !== undefined) line += ',"room":' + JSON.stringify(ev.room);
  return line + ',"data":';
}

/** The payload as JSON text: its own text when it has one, else serialised (null for undefined). */
export function payloadJson(ev: TailEvent): string {
  return ev.json ?? JSON.stringify(ev.data) ?? 'null';
}
