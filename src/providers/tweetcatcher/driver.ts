/** Tweet Catcher: Hello → Login → Ready, client heartbeats with ACK tracking, op 0 events. */
import { AuthError } from '../../errors.js';
import type { Connection, Driver, DriverHooks } from '../../types.js';
import { receivedAt } from '../../transport/received-at.js';
import { WsLink } from '../../transport/ws-transport.js';
import type { CommonOptions, DriverContext, ParsedOptions, RawOptions } from '../spec.js';
import { BYTES_PATH_MIN, Op, parseFrame, scanEvent, scanEventBytes, toEvent } from './messages.js';

export const DEFAULT_URL = 'wss://monitor-api.tweet-catcher.com/websocket';
const DEFAULT_HEARTBEAT_MS = 45_000;
/** How long to wait for Hello after the socket opens before calling the link dead. */
const HELLO_TIMEOUT_MS = 15_000;

export interface TweetCatcherOptions {
  token: string;
}

export function parseOptions(raw: RawOptions, common: CommonOptions): ParsedOptions<TweetCatcherOptions> {
  return { url: common.url ?? DEFAULT_URL, options: { token: typeof raw.token === 'string' ? raw.token : '' } };
}

export class TweetCatcherDriver implements Driver {
  readonly provider = 'tweetcatcher';
  private readonly url: string;
  private readonly token: string;

  constructor(private readonly ctx: DriverContext<TweetCatcherOptions>) {
    this.url = ctx.url;
    this.token = ctx.options.token;
  }

  connect(hooks: DriverHooks): Connection {
    let ready = false;
    let loggedIn = false;
    const link: WsLink = new WsLink(this.url, hooks, this.ctx.transport, {
      onOpen: () => hooks.heartbeat({ mode: 'silence', timeoutMs: HELLO_TIMEOUT_MS }),
      // Large event frames: read from their bytes, printed without decoding them (see scanEventBytes).
      onTextBytes: (bytes) => {
        if (bytes.length < BYTES_PATH_MIN) return false;
        const ev = scanEventBytes(bytes, receivedAt());
        if (!ev) return false;
        hooks.event(ev);
        return true;
      },
      onMessage: (text, isBinary) => {
        if (isBinary) return hooks.undecodable(text, 'binary frame');
        // The hot path: an event frame, read in one scan (see scanEvent); everything else is parsed.
        const fast = scanEvent(text, receivedAt());
        if (fast) return 'error' in fast ? hooks.undecodable(text, fast.error) : hooks.event(fast);
        const parsed = parseFrame(text);
        if (!parsed.ok) return hooks.undecodable(text, parsed.reason);
        const frame = parsed.frame;
        switch (frame.op) {
          case Op.hello: {
            const raw = (frame as { heartbeat_interval?: unknown }).heartbeat_interval;
            let interval = typeof raw === 'number' && raw > 0 ? raw : DEFAULT_HEARTBEAT_MS;
            if (interval !== raw) hooks.warn(`Hello without a valid heartbeat_interval; using ${DEFAULT_HEARTBEAT_MS} ms`);
            interval = Math.max(interval, 10);
            hooks.debug(`hello: heartbeat every ${interval} ms`);
            hooks.heartbeat({ mode: 'beat', intervalMs: interval, send: () => link.send('{"op":1}') });
            if (!loggedIn) {
              loggedIn = true;
              link.send(JSON.stringify({ op: Op.login, token: this.token }));
            }
            return;
          }
          case Op.heartbeatAck:
            return hooks.alive();
          case Op.ready:
            ready = true;
            return hooks.ready('logged in');
          case Op.disconnect: {
            const why = typeof (frame as { text?: unknown }).text === 'string' ? (frame as { text: string }).text : 'no reason given';
            if (!ready) {
              link.end({ recovery: 'fatal', error: new AuthError(`login refused by Tweet Catcher: ${why}`, 'check the token: it is the WebSocket token of a task on the Tweet Catcher dashboard') });
            } else {
              hooks.warn(`the server disconnected us: ${why}`);
              link.end({ recovery: 'retry', reason: `server-side disconnection: ${why}` });
            }
            return;
          }
          case Op.event: {
            const ev = toEvent((frame as { d?: unknown }).d, receivedAt(), text);
            if ('error' in ev) return hooks.undecodable(text, ev.error);
            return hooks.event(ev);
          }
          default:
            hooks.debug(`ignoring unknown op ${frame.op}`);
        }
      },
    });
    return link;
  }
}
