/**
 * Webinate users server: no login and no heartbeat in the protocol. The link is up once the upgrade is done;
 * evtail keeps it honest with WebSocket pings of its own. An Origin the server does not approve is not refused
 * at the HTTP level: the server completes the upgrade and then terminates the socket (close 1006, no message).
 * A few of those in a row end the run with exit 3 instead of reconnecting into the refusal forever.
 */
import { AuthError, UsageError } from '../../errors.js';
import type { CloseOutcome, Connection, Driver, DriverHooks, LinkCause } from '../../types.js';
import { classifyStandard, WsLink } from '../../transport/ws-transport.js';
import type { CommonOptions, DriverContext, ParsedOptions, RawOptions } from '../spec.js';
import { checkSendJson, echoFrame, errorOf, originOf, parseFrame, toEvent } from './messages.js';
import { receivedAt } from '../../transport/received-at.js';

export const DEFAULT_PING_INTERVAL_MS = 30_000;
/** Refused connections that in a row mean "the Origin is not approved" (fewer when retries are fewer). */
export const REFUSALS_BEFORE_GIVING_UP = 3;
/** A terminate this soon after the upgrade looks like a refusal (the real server checks right away, or after a bcrypt compare of the API key). */
export const REFUSAL_WINDOW_MS = 5_000;
/**
 * The real server attaches its message listener only after it has looked up the session of the upgrade
 * request, so a frame sent the instant the socket opens can be dropped. Sends wait this long.
 */
export const SEND_DELAY_MS = 200;

interface ConnState {
  opened: boolean;
  openedAt: number;
  messages: number;
  /** The pending frames went out on this connection (dropped once it is known accepted). */
  sent?: boolean;
  /** ready() not yet said for this connection (a re-open after a suspected refusal waits for a message). */
  readyPending?: boolean;
}

export interface WebinateOptions {
  origin: string;
  headers: Record<string, string>;
  pingIntervalMs: number;
  /** --echo and --send frames, sent once a connection is accepted. */
  frames: string[];
  /** Refusals in a row that end the run. */
  refusalThreshold: number;
}

export function parseOptions(raw: RawOptions, common: CommonOptions): ParsedOptions<WebinateOptions> {
  const url = common.url;
  if (typeof url !== 'string' || !url) {
    throw new UsageError('webinate: missing --url or EVTAIL_URL', "the users server is self-hosted: pass its socket address, e.g. --url ws://localhost:8080: its host, and websocket.port from its config.json");
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`webinate: --url: not a URL: ${url}`, 'e.g. --url ws://localhost:8080');
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new UsageError(`webinate: --url must start with ws:// or wss://, got ${parsed.protocol}//`, `e.g. --url ws://${parsed.host || 'localhost:8080'}`);
  }
  const str = (k: string) => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string) : undefined);
  const headers: Record<string, string> = {};
  const cookie = str('cookie');
  if (cookie) headers.cookie = cookie.includes('=') ? cookie : `SID=${cookie}`;
  const apiKey = str('apiKey');
  if (apiKey) headers['users-api-key'] = apiKey;
  const frames: string[] = [];
  if (typeof raw.echo === 'string') frames.push(echoFrame(raw.echo));
  if (typeof raw.send === 'string') {
    const checked = checkSendJson(raw.send);
    if (!checked.ok) throw new UsageError(`webinate: --send: ${checked.reason}`, 'e.g. --send \'{"eventType":10,"message":"hi","broadcast":true}\'');
    frames.push(checked.frame);
  }
  // With --no-reconnect there is one connection to judge; with a small --max-retries, judge before the session gives up.
  const retries = common.reconnect === false ? 0 : common.maxRetries;
  const interval = raw.pingInterval;
  return {
    url,
    options: {
      origin: str('origin') ?? originOf(url),
      headers,
      pingIntervalMs: typeof interval === 'number' && interval > 0 ? interval : DEFAULT_PING_INTERVAL_MS,
      frames,
      refusalThreshold: Math.max(1, Math.min(REFUSALS_BEFORE_GIVING_UP, (Number.isFinite(retries) ? retries : REFUSALS_BEFORE_GIVING_UP) + 1)),
    },
  };
}

export class WebinateDriver implements Driver {
  readonly provider = 'webinate';
  readonly url: string;
  readonly origin: string;
  private readonly headers: Record<string, string>;
  private readonly pingIntervalMs: number;
  private readonly threshold: number;
  /** Frames (--echo, --send) not yet delivered on a connection the server accepted. */
  private pending: string[] = [];
  /** Connections in a row that the server terminated right after opening, before any message. */
  private refusedInARow = 0;

  constructor(private readonly ctx: DriverContext<WebinateOptions>) {
    const o = ctx.options;
    this.url = ctx.url;
    this.origin = o.origin;
    this.headers = o.headers;
    this.pingIntervalMs = o.pingIntervalMs;
    this.pending = [...o.frames];
    this.threshold = o.refusalThreshold;
  }

  connect(hooks: DriverHooks): Connection {
    const clock = this.ctx.clock;
    const conn: ConnState = { opened: false, openedAt: 0, messages: 0, sent: false, readyPending: false };
    const link: WsLink = new WsLink(
      this.url,
      hooks,
      this.ctx.transport,
      {
        onOpen: () => {
          conn.opened = true;
          conn.openedAt = clock.now();
          // After a suspected refusal, "ready" again would be said three times before the refusal: it waits for
          // the server's first message instead (the session's reconnect line already says what is going on).
          if (this.refusedInARow === 0) hooks.ready(`Origin ${this.origin}`);
          else {
            conn.readyPending = true;
            hooks.timer(REFUSAL_WINDOW_MS, () => {
              if (conn.readyPending && link.isOpen) {
                conn.readyPending = false;
                hooks.ready(`Origin ${this.origin}`);
              }
            });
          }
          hooks.heartbeat({ mode: 'beat', intervalMs: this.pingIntervalMs, send: () => link.ping() });
          if (this.pending.length) {
            hooks.timer(SEND_DELAY_MS, () => {
              if (!link.isOpen) return;
              for (const frame of this.pending) link.send(frame);
              conn.sent = true;
              if (conn.messages > 0) this.pending = [];
            });
          }
        },
        onPong: () => hooks.alive(),
        onPing: () => hooks.alive(),
        onMessage: (text, isBinary) => {
          conn.messages += 1;
          this.refusedInARow = 0;
          if (conn.readyPending) {
            conn.readyPending = false;
            hooks.ready(`Origin ${this.origin}`);
          }
          if (conn.sent) this.pending = [];
          hooks.alive();
          if (isBinary) return hooks.undecodable(text, 'binary frame');
          const parsed = parseFrame(text);
          if (!parsed.ok) return hooks.undecodable(text, parsed.reason);
          const ev = toEvent(parsed.token, receivedAt(), text);
          const error = errorOf(parsed.token);
          if (error) hooks.warn(`${ev.type}: the server reported an error: ${error}`);
          hooks.event(ev);
        },
        classify: (cause) => {
          const verdict = classify(cause, { ...conn, closedAt: clock.now(), refusedInARow: this.refusedInARow, threshold: this.threshold, origin: this.origin });
          this.refusedInARow = verdict.refusedInARow;
          // The server kept us: what was sent was delivered.
          if (verdict.refusedInARow === 0 && conn.sent) this.pending = [];
          return verdict.outcome;
        },
      },
      { origin: this.origin, headers: this.headers },
    );
    return link;
  }
}

export interface WebinateCloseState extends ConnState {
  closedAt: number;
  /** Refusals in a row before this connection, and how many end the run. */
  refusedInARow: number;
  threshold: number;
  origin: string;
}

/**
 * What a closed Webinate link means. The Origin rule: a server that terminates the socket right after opening,
 * before any message and not at our request, has almost certainly refused the Origin; a few in a row are fatal.
 */
export function classify(cause: LinkCause, s: WebinateCloseState): { outcome: CloseOutcome; refusedInARow: number } {
  const outcome = classifyStandard(cause);
  if (!s.opened) return { outcome, refusedInARow: s.refusedInARow };
  const suspicious =
    outcome.recovery === 'retry' &&
    s.messages === 0 &&
    cause.kind !== 'local' &&
    cause.kind !== 'protocol' &&
    (cause.kind !== 'close' || cause.code === 1006) &&
    s.closedAt - s.openedAt <= REFUSAL_WINDOW_MS;
  // The server kept us: whatever the Origin is, it was accepted.
  if (!suspicious) return { outcome, refusedInARow: 0 };
  const n = s.refusedInARow + 1;
  if (n >= s.threshold) {
    return {
      refusedInARow: n,
      outcome: {
        recovery: 'fatal',
        error: new AuthError(
          `the server closed the connection right after opening, before sending anything${n > 1 ? `, ${n} times in a row` : ''}: the Origin "${s.origin}" was probably not in its approvedSocketDomains`,
          `add a regular expression that matches "${s.origin}" to websocket.approvedSocketDomains in the users server's config.json, or pass --origin <an approved origin> (or --api-key <socketApiKey> for a trusted third party)`,
        ),
      },
    };
  }
  return { refusedInARow: n, outcome: { recovery: 'retry', reason: `closed right after opening, before any message (${n} of ${s.threshold}): the Origin "${s.origin}" may not be approved` } };
}
