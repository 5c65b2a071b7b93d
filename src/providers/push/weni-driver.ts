/**
 * `evtail push --protocol weni`: Weni's web-chat socket (weni-ai/weni-webchat-socket), a plain WebSocket on
 * wss://<host>/ws. Register with an identity (`from`) and a callback, wait for ready_for_message, then chat:
 * messages both ways, pings every 50 s (the legacy web chat's period; the server answers pong). The identity is
 * kept for the run, so a reconnection registers the same contact again, like the web chat does from its storage.
 */
import { LinkedConnection } from '../../transport/linked-connection.js';
import type { Readable } from 'node:stream';
import { AuthError, UsageError } from '../../errors.js';
import { formatDuration } from '../../format.js';
import { classifyStandard, WsLink } from '../../transport/ws-transport.js';
import { receivedAt } from '../../transport/received-at.js';
import type { CloseOutcome, Connection, Driver, DriverHooks, TimerHandle } from '../../types.js';
import type { CommonOptions, DriverContext, ParsedOptions, RawOptions } from '../spec.js';
import { ChatOutbox } from '../chat-outbox.js';
import {
  callbackUrl,
  ERROR_HANDLER_DEAD,
  ERROR_ID_EXISTS,
  historyEvents,
  historyFrame,
  newFrom,
  parsePayload,
  pingFrame,
  registerFrame,
  textFrame,
  toEvent,
  WARNING_CLOSED_BY_REQUEST,
  WENI_PING_INTERVAL_MS,
  weniUrl,
  type WeniPayload,
} from './weni-messages.js';

/** No ready_for_message this long after the register frame: a dead link. */
export const REGISTER_TIMEOUT_MS = 10_000;
/** "already exists" answers in a row before giving up (the identity is in use elsewhere). */
export const DUPLICATES_BEFORE_GIVING_UP = 3;
/** The legacy client comes back 1 s after a close_session warning, 5 s after other closes. */
const AFTER_CLOSE_SESSION_MS = 1000;
const DUPLICATE_WAIT_MS = 2000;

const REFUSED_HINT = 'check --channel-uuid and --host-api (the callback is <host-api>/c/wwc/<channel uuid>/receive), and --origin if the channel restricts domains';

export interface WeniOptions {
  protocol: 'weni';
  callback: string;
  origin: string | undefined;
  token: string | undefined;
  /** Our identity: from --from (or --urn), else a fresh one, kept for the whole run. */
  from: string;
  resumed: boolean;
  initPayload: string | undefined;
  history: boolean;
  pingIntervalMs: number;
  send: string | undefined;
  stdin: boolean;
  /** "already exists" answers in a row that end the run (1 with --no-reconnect). */
  duplicatesBeforeGivingUp: number;
}

export function parseWeniOptions(raw: RawOptions, common: CommonOptions): ParsedOptions<WeniOptions> {
  const str = (k: string) => (typeof raw[k] === 'string' && (raw[k] as string).length > 0 ? (raw[k] as string) : undefined);
  if (!common.url && !str('host')) throw new UsageError('push --protocol weni: missing --host or EVTAIL_HOST', 'pass --host <hostname> (the web-chat socket server; evtail connects to wss://<host>/ws), or --url');
  let url: URL;
  try {
    url = weniUrl({ url: common.url, host: str('host') });
  } catch {
    throw new UsageError(`push --protocol weni: not a valid URL: ${common.url ?? str('host')}`, 'pass --host <hostname> or --url wss://host/ws');
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UsageError(`push --protocol weni: the URL must be ws:// or wss://, got ${url.protocol}`);
  let callback = str('callback');
  if (!callback) {
    if (!str('channelUuid')) throw new UsageError('push --protocol weni: missing --channel-uuid or EVTAIL_CHANNEL_UUID', "the channel's UUID, from the web-chat embed code (channelUuid)");
    if (!str('hostApi')) throw new UsageError('push --protocol weni: missing --host-api or EVTAIL_HOST_API', 'the Flows host from the embed code (host), e.g. https://flows.weni.ai; or the whole --callback URL');
    callback = callbackUrl(str('hostApi')!, str('channelUuid')!);
  }
  const given = str('from') ?? str('urn');
  const interval = raw.keepaliveInterval;
  return {
    url: url.href,
    options: {
      protocol: 'weni',
      callback,
      origin: str('origin'),
      token: str('sessionToken'),
      from: given ?? newFrom(),
      resumed: given !== undefined,
      initPayload: str('initPayload'),
      history: raw.history === true,
      pingIntervalMs: typeof interval === 'number' && interval > 0 ? interval : WENI_PING_INTERVAL_MS,
      send: str('send'),
      stdin: raw.stdin === true,
      duplicatesBeforeGivingUp: common.reconnect === false ? 1 : DUPLICATES_BEFORE_GIVING_UP,
    },
  };
}

export class WeniDriver implements Driver {
  readonly provider = 'push';
  readonly url: string;
  readonly callback: string;
  readonly origin: string | undefined;
  readonly token: string | undefined;
  readonly pingIntervalMs: number;
  /** Our identity: from --from (or --urn), else a fresh one, kept for the whole run. */
  readonly from: string;
  readonly resumed: boolean;
  private readonly outbox: ChatOutbox;
  private hooks: DriverHooks | undefined;
  private initPayload: string | undefined;
  private wantHistory: boolean;
  private registeredOnce = false;
  private duplicatesInARow = 0;

  constructor(
    readonly ctx: DriverContext<WeniOptions>,
    private readonly stdin?: Readable,
  ) {
    const o = ctx.options;
    this.url = ctx.url;
    ({ callback: this.callback, origin: this.origin, token: this.token, from: this.from, resumed: this.resumed, initPayload: this.initPayload, pingIntervalMs: this.pingIntervalMs } = o);
    this.wantHistory = o.history;
    this.outbox = new ChatOutbox(o.send);
  }

  connect(hooks: DriverHooks): Connection {
    this.hooks = hooks;
    if (this.ctx.options.stdin) this.outbox.readLines(this.stdin ?? ((this.ctx.stdin?.() ?? process.stdin) as Readable), () => this.hooks?.debug('stdin ended; still tailing'), this.ctx.lines);
    return new WeniConnection(this, hooks);
  }

  /** Registered on a connection: what to do once per run (status, --init-payload, --history), then chat. */
  registered(conn: WeniConnection, payload: WeniPayload, raw: string): void {
    this.duplicatesInARow = 0;
    const hooks = conn.hooks;
    if (!this.registeredOnce) {
      this.registeredOnce = true;
      hooks.status(`registered: from ${this.from}${this.resumed ? '' : ` (resume this contact with --from ${this.from})`}`);
    }
    if (this.initPayload !== undefined) {
      // The legacy web chat sends its initPayload right after registering a new session; once per run here.
      conn.sendText(this.initPayload);
      this.initPayload = undefined;
    }
    if (this.wantHistory) {
      const events = historyEvents(payload, receivedAt(), this.from, raw);
      if (events) {
        this.wantHistory = false;
        for (const e of events) hooks.event(e);
      } else conn.send(historyFrame()); // an older server's ready_for_message carries no history: ask for it
    }
    this.outbox.attach(conn);
  }

  /** A `history` answer: printed once, when --history asked for it. */
  historyAnswer(conn: WeniConnection, payload: WeniPayload, raw: string): boolean {
    if (!this.wantHistory) return false;
    this.wantHistory = false;
    for (const e of historyEvents(payload, receivedAt(), this.from, raw) ?? []) conn.hooks.event(e);
    return true;
  }

  /** "already exists": the identity is still registered (our previous connection, or another client). */
  duplicate(error: string): CloseOutcome {
    this.duplicatesInARow += 1;
    const n = this.duplicatesInARow;
    if (n >= this.ctx.options.duplicatesBeforeGivingUp) {
      return {
        recovery: 'fatal',
        error: new AuthError(`the server refused the registration of ${this.from}${n > 1 ? ` ${n} times in a row` : ''}: ${error}`, `another client (a browser tab?) is connected as ${this.from}: close it, or run without --from to start a new contact`),
      };
    }
    return { recovery: 'retry', reason: `${error} (${n} of ${DUPLICATES_BEFORE_GIVING_UP}; the server may not have noticed our previous connection end yet)`, delayMs: error === ERROR_HANDLER_DEAD ? AFTER_CLOSE_SESSION_MS : DUPLICATE_WAIT_MS };
  }

  detach(conn: WeniConnection): void {
    this.outbox.detach(conn);
  }

  dispose(): void {
    this.outbox.stop();
  }
}

/** One connection: register, then frames. */
class WeniConnection extends LinkedConnection {
  protected readonly link: WsLink;
  private ready = false;
  private registerTimer: TimerHandle | undefined;

  constructor(
    private readonly driver: WeniDriver,
    readonly hooks: DriverHooks,
  ) {
    super();
    const own: DriverHooks = {
      ...hooks,
      // A token the server hands out is a secret before the frame that carries it is shown (--verbose, --record).
      frame: (dir, text, bytes) => {
        if (dir === 'in' && text.includes('"token"')) {
          const p = parsePayload(text);
          if (p.ok && typeof p.payload.token === 'string' && p.payload.token) hooks.secret(p.payload.token);
        }
        hooks.frame(dir, text, bytes);
      },
    };
    this.link = new WsLink(
      driver.url,
      own,
      driver.ctx.transport,
      {
        onOpen: () => {
          this.link.send(registerFrame({ from: driver.from, callback: driver.callback, token: driver.token }));
          this.registerTimer = hooks.timer(REGISTER_TIMEOUT_MS, () => {
            this.registerTimer = undefined;
            if (!this.ready) this.link.abort({ recovery: 'retry', reason: `no ready_for_message within ${formatDuration(REGISTER_TIMEOUT_MS)} of registering` });
          });
        },
        onMessage: (text, isBinary) => this.onMessage(text, isBinary),
        onPong: () => hooks.alive(),
        onPing: () => hooks.alive(),
        classify: (cause) => {
          this.clearTimer();
          this.ready = false;
          driver.detach(this);
          return classifyStandard(cause);
        },
      },
      driver.origin ? { origin: driver.origin } : {},
    );
  }

  private clearTimer(): void {
    this.registerTimer?.cancel();
    this.registerTimer = undefined;
  }

  private onMessage(text: string, isBinary: boolean): void {
    const hooks = this.hooks;
    hooks.alive();
    if (isBinary) return hooks.undecodable(text, 'binary frame');
    const parsed = parsePayload(text);
    if (!parsed.ok) return hooks.undecodable(text, parsed.reason);
    const p = parsed.payload;
    const d = this.driver;
    switch (p.type) {
      case 'pong':
        return;
      case 'ready_for_message':
        if (this.ready) return;
        this.ready = true;
        this.clearTimer();
        hooks.ready(`registered as ${d.from}`);
        hooks.heartbeat({ mode: 'beat', intervalMs: d.pingIntervalMs, send: () => this.link.send(pingFrame()) });
        return d.registered(this, p, text);
      case 'history':
        if (d.historyAnswer(this, p, text)) return;
        break;
      case 'forbidden':
        return this.link.end({ recovery: 'fatal', error: new AuthError(`the server refused this chat: ${p.warning || 'forbidden'}`, `the channel accepts only its allowed domains: pass --origin https://<an allowed domain> (the server compares the Origin's host)`) });
      case 'error':
        if (!this.ready) {
          const error = p.error || 'no reason given';
          if (error === ERROR_ID_EXISTS || error === ERROR_HANDLER_DEAD) return this.link.end(d.duplicate(error));
          return this.link.end({ recovery: 'fatal', error: new AuthError(`the server refused the registration: ${error}`, REFUSED_HINT) });
        }
        hooks.warn(`the server reported an error: ${p.error || 'no reason given'}`);
        break;
      case 'warning':
        hooks.warn(`the server warned: ${p.warning || '(no text)'}`);
        if (p.warning === WARNING_CLOSED_BY_REQUEST) {
          hooks.event(toEvent(p, receivedAt(), d.from, text));
          // Another client asked to take this contact over (close_session): the web chat closes and comes back.
          return this.link.end({ recovery: 'retry', reason: 'the session was closed by request (close_session from another client)', delayMs: AFTER_CLOSE_SESSION_MS });
        }
        break;
      case 'token':
        if (typeof p.token === 'string' && p.token) hooks.secret(p.token);
        hooks.warn(`another client tried to register as ${d.from} (the server sent it our session token)`);
        break;
    }
    hooks.event(toEvent(p, receivedAt(), d.from, text));
  }

  get canSend(): boolean {
    return this.ready && this.link.isOpen;
  }

  sendText(text: string): void {
    if (this.canSend) this.link.send(textFrame(text));
  }

  send(frame: string): void {
    this.link.send(frame);
  }

  override close(): void {
    this.driver.dispose();
    super.close();
  }
}
