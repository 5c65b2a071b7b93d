/** NDJSON: the envelope, compact, one per line. Built by hand: the key order is the contract and it is the hot path. */
import type { TailEvent } from '../types.js';

export function toNdjson(ev: TailEvent): string {
  let line = '{"time":' + JSON.stringify(ev.time) + ',"provider":' + JSON.stringify(ev.provider) + ',"type":' + JSON.stringify(ev.type);
  if (ev.id !== undefined) line += ',"id":' + JSON.stringify(ev.id);
  if (ev.topic !== undefined) line += ',"topic":' + JSON.stringify(ev.topic);
  if (ev.channel !== undefined) line += ',"channel":' + JSON.stringify(ev.channel);
  if (ev.room !== undefined) line += ',"room":' + JSON.stringify(ev.room);
  return line + ',"data":' + (JSON.stringify(ev.data) ?? 'null') + '}\n';
}
