/**
 * Doshii App WebSocket v3: connect with ?auth=<base64(clientId)>[&deviceId=…], send the JSON heartbeat at once
 * (it completes the handshake) and then every interval, and decode events in both published envelopes.
 *
 * Choices where the public record is silent (protocols.md §2):
 * - Only a pong (either shape) satisfies the watchdog; events and server pings do not, so a server that keeps
 *   sending but stops answering is still treated as a dead link, as the issue asks ("no pong by the next beat").
 * - The link counts as ready at the first pong or the first event, whichever comes first.
 * - A server ping is answered with {"doshii":{"pong":<its value>,"version":…}} in the shape we send pings in.
 * - A refused upgrade (401/403) is an auth failure (WsLink's default); close codes keep the RFC 6455 meanings
 *   (Doshii publishes none): 1000 ends the tail, anything else reconnects within --max-retries/--retry-window.
 */
import { version as evtailVersion } from '../../version.js';
import { UsageError } from '../../errors.js';
import type { Connection, Driver, DriverHooks } from '../../types.js';
import { WsLink } from '../../transport/ws-transport.js';
import type { CommonOptions, DriverContext, ParsedOptions, RawOptions } from '../spec.js';
import { baseUrlFor, DEFAULT_ENVIRONMENT, decodeFrame, isEnvironmentName, pingFrame, pongFrame, socketUrl, toEvent } from './messages.js';
import { receivedAt } from '../../transport/received-at.js';

export const DEFAULT_HEARTBEAT_MS = 30_000;

export interface DoshiiOptions {
  appVersion: string;
  heartbeatMs: number;
}

/** The socket URL carries the client id (and device id); the rest is typed here, once. */
export function parseOptions(raw: RawOptions, common: CommonOptions): ParsedOptions<DoshiiOptions> {
  const str = (k: string) => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string) : undefined);
  const clientId = str('clientId');
  if (!clientId) throw new UsageError('doshii: missing --client-id or EVTAIL_CLIENT_ID', 'the client id of your Doshii app');
  const environment = str('environment') ?? DEFAULT_ENVIRONMENT;
  if (!isEnvironmentName(environment)) {
    throw new UsageError(`--environment: "${environment}" is not an environment name`, 'sandbox, live, or another single host label (socket.<name>.doshii.co)');
  }
  const base = common.url ?? baseUrlFor(environment);
  try {
    const u = new URL(base);
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error('scheme');
  } catch {
    throw new UsageError(`--url: "${base}" is not a ws:// or wss:// URL`);
  }
  const interval = raw.heartbeatInterval;
  return {
    url: socketUrl(base, clientId, str('deviceId')),
    options: {
      appVersion: str('appVersion') ?? `evtail/${evtailVersion()}`,
      heartbeatMs: typeof interval === 'number' && interval > 0 ? interval : DEFAULT_HEARTBEAT_MS,
    },
  };
}

export class DoshiiDriver implements Driver {
  readonly provider = 'doshii';
  readonly url: string;
  readonly appVersion: string;
  readonly heartbeatMs: number;

  constructor(private readonly ctx: DriverContext<DoshiiOptions>) {
    this.url = ctx.url;
    this.appVersion = ctx.options.appVersion;
    this.heartbeatMs = ctx.options.heartbeatMs;
  }

  connect(hooks: DriverHooks): Connection {
    let ready = false;
    const markReady = (detail: string) => {
      if (ready) return;
      ready = true;
      hooks.ready(detail);
    };
    hooks.debug(`connecting to ${this.url}`);
    const link: WsLink = new WsLink(this.url, hooks, this.ctx.transport, {
      // The first frame we send is the heartbeat: Doshii's handshake is not complete without it.
      onOpen: () =>
        hooks.heartbeat({
          mode: 'beat',
          intervalMs: this.heartbeatMs,
          sendNow: true,
          send: () => link.send(pingFrame(this.ctx.clock.now(), this.appVersion)),
        }),
      onMessage: (text, isBinary) => {
        if (isBinary) return hooks.undecodable(text, 'binary frame');
        const frame = decodeFrame(text);
        switch (frame.kind) {
          case 'pong':
            hooks.alive();
            return markReady('heartbeat answered');
          case 'ping':
            hooks.debug('server ping: answering with a pong');
            return link.send(pongFrame(frame.value, this.appVersion));
          case 'event':
            markReady('events flowing');
            return hooks.event(toEvent(frame, receivedAt(), text));
          case 'control':
            return hooks.debug(`ignoring a doshii control frame: ${frame.detail}`);
          case 'invalid':
            return hooks.undecodable(text, frame.reason);
        }
      },
    });
    return link;
  }
}
