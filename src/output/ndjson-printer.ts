/** NDJSON: the envelope (src/output/envelope.ts), one per line. */
import type { TailEvent } from '../types.js';
import { envelopeLine } from './envelope.js';

export function toNdjson(ev: TailEvent): string {
  return envelopeLine(ev) + '\n';
}
