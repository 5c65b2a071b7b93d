/**
 * Webinate users server: no login and no heartbeat in the protocol. The link is up once the upgrade is done;
 * evtail keeps it honest with WebSocket pings of its own. An Origin the server does not approve is not refused
 * at the HTTP level: the server completes the upgrade and then terminates the socket (close 1006, no message).
 * A few of those in a row end the run with exit 3 instead of reconnecting into the refusal forever.
 */
import { AuthError, UsageError } from '../../errors.js';
import type { CloseOutcome, Connection, Driver, DriverHooks } from '../../types.js';
import { defaultCloseOutcome, WsLink } from '../../transport/ws-transport.js';
import type { DriverContext } from '../spec.js';
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
  byUs: boolean;
  closeCode: number | undefined;
  sent: boolean;
  /** ready() not yet said for this connection (a re-open after a suspected refusal waits for a message). */
  readyPending: boolean;
}

export class WebinateDriver implements Driver {
  readonly provider = 'webinate';
  readonly url: string;
  readonly origin: string;
  private readonly headers: Record<string, string> = {};
  private readonly pingIntervalMs: number;
  private readonly threshold: number;
  /** Frames (--echo, --send) not yet delivered on a connection the server accepted. */
  private pending: string[] = [];
  /** Connections in a row that the server terminated right after opening, before any message. */
  private refusedInARow = 0;

  constructor(private readonly ctx: DriverContext) {
    const url = ctx.common.url;
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
    this.url = url;
    const origin = ctx.options.origin;
    this.origin = typeof origin === 'string' && origin ? origin : originOf(url);
    const cookie = ctx.options.cookie;
    if (typeof cookie === 'string' && cookie) this.headers.cookie = cookie.includes('=') ? cookie : `SID=${cookie}`;
    const apiKey = ctx.options.apiKey;
    if (typeof apiKey === 'string' && apiKey) this.headers['users-api-key'] = apiKey;
    const interval = ctx.options.pingInterval;
    this.pingIntervalMs = typeof interval === 'number' && interval > 0 ? interval : DEFAULT_PING_INTERVAL_MS;

    const echo = ctx.options.echo;
    if (typeof echo === 'string') this.pending.push(echoFrame(echo));
    const send = ctx.options.send;
    if (typeof send === 'string') {
      const checked = checkSendJson(send);
      if (!checked.ok) throw new UsageError(`webinate: --send: ${checked.reason}`, 'e.g. --send \'{"eventType":10,"message":"hi","broadcast":true}\'');
      this.pending.push(checked.frame);
    }

    // With --no-reconnect there is one connection to judge; with a small --max-retries, judge before the session gives up.
    const retries = ctx.common.reconnect === false ? 0 : ctx.common.maxRetries;
    this.threshold = Math.max(1, Math.min(REFUSALS_BEFORE_GIVING_UP, (Number.isFinite(retries) ? retries : REFUSALS_BEFORE_GIVING_UP) + 1));
  }

  connect(hooks: DriverHooks): Connection {
    const clock = this.ctx.clock;
    const state: ConnState = { opened: false, openedAt: 0, messages: 0, byUs: false, closeCode: undefined, sent: false, readyPending: false };
    let sendTimer: unknown;
    let readyTimer: unknown;
    const linkHooks: DriverHooks = {
      ...hooks,
      closed: (outcome) => {
        if (sendTimer !== undefined) clock.clearTimeout(sendTimer);
        if (readyTimer !== undefined) clock.clearTimeout(readyTimer);
        hooks.closed(this.judge(outcome, state));
      },
    };
    const link: WsLink = new WsLink(
      this.url,
      linkHooks,
      this.ctx.transport,
      {
        onOpen: () => {
          state.opened = true;
          state.openedAt = clock.now();
          // After a suspected refusal, "ready" again would be said three times before the refusal: it waits for
          // the server's first message instead (the session's reconnect line already says what is going on).
          if (this.refusedInARow === 0) hooks.ready(`Origin ${this.origin}`);
          else {
            state.readyPending = true;
            readyTimer = clock.setTimeout(() => {
              readyTimer = undefined;
              if (state.readyPending && link.isOpen) {
                state.readyPending = false;
                hooks.ready(`Origin ${this.origin}`);
              }
            }, REFUSAL_WINDOW_MS);
          }
          hooks.heartbeat({ mode: 'beat', intervalMs: this.pingIntervalMs, send: () => link.ping() });
          if (this.pending.length) {
            sendTimer = clock.setTimeout(() => {
              sendTimer = undefined;
              if (!link.isOpen) return;
              for (const frame of this.pending) link.send(frame);
              state.sent = true;
              if (state.messages > 0) this.pending = [];
            }, SEND_DELAY_MS);
          }
        },
        onPong: () => hooks.alive(),
        onPing: () => hooks.alive(),
        onMessage: (text, isBinary) => {
          state.messages += 1;
          this.refusedInARow = 0;
          if (state.readyPending) {
            state.readyPending = false;
            hooks.ready(`Origin ${this.origin}`);
          }
          if (state.sent) this.pending = [];
          hooks.alive();
          if (isBinary) return hooks.undecodable(text, 'binary frame');
          const parsed = parseFrame(text);
          if (!parsed.ok) return hooks.undecodable(text, parsed.reason);
          const ev = toEvent(parsed.token, receivedAt(), text);
          const error = errorOf(parsed.token);
          if (error) hooks.warn(`${ev.type}: the server reported an error: ${error}`);
          hooks.event(ev);
        },
        classifyClose: (code, reason) => {
          state.closeCode = code;
          return defaultCloseOutcome(code, reason);
        },
      },
      { origin: this.origin, headers: this.headers },
    );
    return {
      close: () => {
        state.byUs = true;
        link.close();
      },
      terminate: (reason) => {
        state.byUs = true;
        link.terminate(reason);
      },
      pause: () => link.pause(),
      resume: () => link.resume(),
    };
  }

  /** Turn "terminated right after opening, again" into the refusal it almost certainly is. */
  private judge(outcome: CloseOutcome, state: ConnState): CloseOutcome {
    if (!state.opened) return outcome;
    const suspicious =
      outcome.recovery === 'retry' &&
      state.messages === 0 &&
      !state.byUs &&
      (state.closeCode === undefined || state.closeCode === 1006) &&
      this.ctx.clock.now() - state.openedAt <= REFUSAL_WINDOW_MS;
    if (!suspicious) {
      // The server kept us: whatever the Origin is, it was accepted.
      this.refusedInARow = 0;
      if (state.sent) this.pending = [];
      return outcome;
    }
    this.refusedInARow += 1;
    const n = this.refusedInARow;
    if (n >= this.threshold) {
      return {
        recovery: 'fatal',
        error: new AuthError(
          `the server closed the connection right after opening, before sending anything${n > 1 ? `, ${n} times in a row` : ''}: the Origin "${this.origin}" was probably not in its approvedSocketDomains`,
          `add a regular expression that matches "${this.origin}" to websocket.approvedSocketDomains in the users server's config.json, or pass --origin <an approved origin> (or --api-key <socketApiKey> for a trusted third party)`,
        ),
      };
    }
    return { recovery: 'retry', reason: `closed right after opening, before any message (${n} of ${this.threshold}): the Origin "${this.origin}" may not be approved` };
  }
}
