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
import { checkSendJson, echoFrame, errorOf, generationOf, isReplyTo, metaFrame, originOf, parseFrame, toEvent, type Generation, type Token } from './messages.js';
import { receivedAt } from '../../transport/received-at.js';
import { formatDuration } from '../../format.js';

export const DEFAULT_PING_INTERVAL_MS = 30_000;
/** Refused connections that in a row mean "the Origin is not approved" (fewer when retries are fewer). */
export const REFUSALS_BEFORE_GIVING_UP = 3;
/** A terminate this soon after the upgrade looks like a refusal (the real server checks right away, or after a bcrypt compare of the API key). */
export const REFUSAL_WINDOW_MS = 5_000;
/**
 * The real server attaches its message listener only after it has approved the socket (a bcrypt compare of the
 * users-api-key per approvedSocketDomains entry) and looked up the upgrade request's session; it says nothing when
 * it is done, and drops what comes before. Sends wait this long (--send-delay); a MetaRequest read (idempotent) is
 * sent again, waiting twice as long each time, until the server answers.
 */
export const SEND_DELAY_MS = 1000;
const META_TRIES = 5;
/** The first re-send of an unanswered MetaRequest read waits at least this long (then twice as long each time). */
const META_RETRY_MS = 500;
/** A current server sends nothing to a connection with neither key nor cookie: say so after this long. */
export const SILENCE_HINT_MS = 60_000;

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
  /** --generation, or the current one (numeric with --echo); `given`: a frame may not change it. */
  generation: Generation;
  generationGiven: boolean;
  /** --meta-request: a MetaRequest read, re-sent until answered. */
  meta: Token | undefined;
  /** What evtail sends that expects an answer: --replies-only prints only those answers. */
  asked: Token[];
  repliesOnly: boolean;
  sendDelayMs: number;
  silenceHintMs: number;
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
  const asked: Token[] = [];
  const generationGiven = raw.generation === 'numeric' || raw.generation === 'string';
  const generation: Generation = raw.generation === 'numeric' || (!generationGiven && typeof raw.echo === 'string') ? 'numeric' : 'string';
  if (typeof raw.echo === 'string') {
    if (generation === 'string') throw new UsageError('webinate: --echo: the current server (--generation string) has no Echo', 'for a smoke check of a current server use --meta-request <username> with --api-key; --echo is for numeric-generation servers (--generation numeric)');
    asked.push({ eventType: 10, message: raw.echo });
    frames.push(echoFrame(raw.echo));
  }
  let meta: Token | undefined;
  const metaRequest = str('metaRequest');
  if (metaRequest) {
    const [username, property] = metaRequest.split(/[.:](.*)/s) as [string, string | undefined];
    meta = { type: 'MetaRequest', username, ...(property ? { property } : {}) };
    asked.push(meta);
  }
  if (typeof raw.send === 'string') {
    const checked = checkSendJson(raw.send);
    if (!checked.ok) throw new UsageError(`webinate: --send: ${checked.reason}`, 'e.g. --send \'{"type":"MetaRequest","username":"alice","property":"plan"}\'');
    asked.push(JSON.parse(checked.frame) as Token);
    frames.push(checked.frame);
  }
  const repliesOnly = raw.repliesOnly === true;
  if (repliesOnly && !asked.length) throw new UsageError('webinate: --replies-only needs something to answer: --meta-request, --echo or --send');
  const ms = (k: string, dflt: number) => (typeof raw[k] === 'number' && (raw[k] as number) >= 0 ? (raw[k] as number) : dflt);
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
      generation,
      generationGiven,
      meta,
      asked,
      repliesOnly,
      sendDelayMs: ms('sendDelay', SEND_DELAY_MS),
      silenceHintMs: ms('silenceHintAfter', SILENCE_HINT_MS),
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
  /** The MetaRequest of --meta-request, until answered. */
  private meta: Token | undefined;
  private silenceHinted = false;
  /** --generation, or the current one until a frame says otherwise. */
  generation: Generation;

  constructor(private readonly ctx: DriverContext<WebinateOptions>) {
    const o = ctx.options;
    this.url = ctx.url;
    this.origin = o.origin;
    this.headers = o.headers;
    this.pingIntervalMs = o.pingIntervalMs;
    this.pending = [...o.frames];
    this.threshold = o.refusalThreshold;
    this.meta = o.meta;
    this.generation = o.generation;
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
          const o = this.ctx.options;
          if (this.pending.length) {
            hooks.timer(o.sendDelayMs, () => {
              if (!link.isOpen) return;
              for (const frame of this.pending) link.send(frame);
              conn.sent = true;
              if (conn.messages > 0) this.pending = [];
            });
          }
          if (this.meta) {
            let tries = 0;
            const sendMeta = () => {
              if (!link.isOpen || !this.meta) return;
              tries += 1;
              link.send(metaFrame(this.meta, this.generation));
              // A read is idempotent: if the server was not listening yet, ask again.
              if (tries < META_TRIES) hooks.timer(Math.max(o.sendDelayMs, META_RETRY_MS) * 2 ** (tries - 1), sendMeta);
            };
            hooks.timer(o.sendDelayMs, sendMeta);
          }
          if (o.silenceHintMs > 0 && !this.headers.cookie && !this.headers['users-api-key']) {
            hooks.timer(o.silenceHintMs, () => {
              if (conn.messages > 0 || this.silenceHinted || this.generation !== 'string' || !link.isOpen) return;
              this.silenceHinted = true;
              hooks.warn(
                `connected, but the server has sent nothing in ${formatDuration(o.silenceHintMs)}: a current users server sends events only to connections that pass --api-key (its websocket.socketApiKey: every event) or --cookie (the SID of a logged-in user: that user's events); without either it stays silent`,
              );
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
          this.onToken(parsed.token, text, hooks);
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

  private onToken(token: Token, text: string, hooks: DriverHooks): void {
    const o = this.ctx.options;
    const seen = generationOf(token);
    if (!o.generationGiven && seen && seen !== this.generation) {
      this.generation = seen;
      hooks.debug(`the server speaks the ${seen} generation (${seen === 'numeric' ? 'eventType numbers' : 'string type'})`);
    }
    const ev = toEvent(token, receivedAt(), text);
    const error = errorOf(token);
    const reply = o.asked.some((a) => isReplyTo(token, a));
    if (reply && ev.type === 'MetaRequest') this.meta = undefined;
    const hint = error && /permission/i.test(error) ? ' (the users-api-key was not accepted: check --api-key)' : '';
    if (o.repliesOnly) {
      if (!reply) return hooks.debug(`skipped ${ev.type}: not an answer (--replies-only)`);
      if (error) return hooks.warn(`${ev.type}: the server answered with an error: ${error}${hint}`);
    }
    if (error) hooks.warn(`${ev.type}: the server reported an error: ${error}${hint}`);
    hooks.event(ev);
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
