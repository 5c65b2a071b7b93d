/** StreamElements' options, typed once. */
import type { CommonOptions, ParsedOptions, RawOptions } from '../spec.js';

export const DEFAULT_URL = 'wss://astro.streamelements.com';
export const DEFAULT_TOPIC = 'channel.activities';
const DEFAULT_PING_TIMEOUT_MS = 70_000;
const DEFAULT_ROOM_HINT_MS = 60_000;

export interface StreamElementsOptions {
  token: string;
  tokenType: string;
  topics: string[];
  room: string | undefined;
  pingTimeoutMs: number;
  /** Subscribed without --room and nothing for this long → the --room hint (0: never). */
  roomHintMs: number;
}

export function parseOptions(raw: RawOptions, common: CommonOptions): ParsedOptions<StreamElementsOptions> {
  const list = Array.isArray(raw.topic) ? (raw.topic as unknown[]).map(String) : typeof raw.topic === 'string' ? raw.topic.split(',') : [DEFAULT_TOPIC];
  const topics = [...new Set(list.map((t) => t.trim()).filter((t) => t !== ''))];
  return {
    url: common.url ?? DEFAULT_URL,
    options: {
      token: typeof raw.token === 'string' ? raw.token : '',
      tokenType: typeof raw.tokenType === 'string' && raw.tokenType ? raw.tokenType : 'jwt',
      topics: topics.length ? topics : [DEFAULT_TOPIC],
      room: typeof raw.room === 'string' && raw.room ? raw.room : undefined,
      pingTimeoutMs: typeof raw.pingTimeout === 'number' && raw.pingTimeout > 0 ? raw.pingTimeout : DEFAULT_PING_TIMEOUT_MS,
      roomHintMs: typeof raw.roomHintAfter === 'number' && raw.roomHintAfter >= 0 ? raw.roomHintAfter : DEFAULT_ROOM_HINT_MS,
    },
  };
}
