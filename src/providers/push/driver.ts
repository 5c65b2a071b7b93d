/**
 * Push over SocketCluster v9 (protocol version 1), on evtail's own SocketCluster link (transport/sc-link.ts):
 * handshake → registerUser (once per run; the urn is reused after a reconnect) → subscribe to the urn →
 * messages whose `to` is the urn. One ScLink (a fresh client socket, autoReconnect and the client's ping timer
 * off) per connection attempt: the session owns reconnection and the watchdog, which only the server's #1 feeds.
 */
import { LinkedConnection } from '../../transport/linked-connection.js';
import { formatDuration } from '../../format.js';
import type { Readable } from 'node:stream';
import { AuthError, UsageError } from '../../errors.js';
import { classifyStandard, defaultHttpOutcome } from '../../transport/classify.js';
import type { CloseOutcome, Connection, Driver, DriverHooks, LinkCause } from '../../types.js';
import type { CommonOptions, DriverContext, ParsedOptions, RawOptions } from '../spec.js';
import { describeScClose, permanentScClose, parseScUrl, TokenStore, type ScEndpoint } from '../../transport/sc-classify.js';
import { ScLink, type HandshakeStatus } from '../../transport/sc-link.js';
import { parseRegisterReply, pushUrl, toEvent } from './messages.js';
import { ChatOutbox } from '../chat-outbox.js';
import { receivedAt } from '../../transport/received-at.js';

/** pingTimeout when the handshake answer has none (SocketCluster's default client value). */
const DEFAULT_PING_TIMEOUT_MS = 20_000;
/** How long registerUser and #subscribe may take before we call the link dead (socketcluster-client's default ackTimeout, kept). */
const ACK_TIMEOUT_MS = 10_000;

const REFUSED_HINT = 'check --channel-uuid and --host-api (they are in the web-chat embed code of the Push channel)';

/** SocketCluster's own codes (4000–4009) and 1000/1001 by name (sc-link.ts); other codes by number. */
function describePushClose(code: number, reason: string): string {
  if (code === 1000 || code === 1001 || (code >= 4000 && code <= 4009)) return describeScClose(code, reason);
  return reason ? `closed with code ${code}: ${reason}` : `closed with code ${code}`;
}

/** Close codes → recovery (protocols.md §3). */
export function classifyClose(code: number, reason: string): CloseOutcome {
  const why = describePushClose(code, reason);
  const permanent = permanentScClose(code, why);
  if (permanent) return permanent;
  switch (code) {
    case 1000:
      return { recovery: 'done', reason: why };
    case 4000: // no #1 from the server in time
    case 4001: // the server saw no #2 from us in time
      return { recovery: 'retry', reason: why, code, immediate: true };
    case 4003: // handshake failed, 4005 not in time, 4007 no connection in time: retried, within the budget
    case 4005:
    case 4007:
      return { recovery: 'retry', reason: why, code };
    case 4008: // a handshake middleware said no: a deliberate refusal, not a glitch
      return { recovery: 'fatal', error: new AuthError(`the Push server ${why}`, REFUSED_HINT) };
    default:
      return { recovery: 'retry', reason: why, code };
  }
}

/** What a closed Push link means: its close codes and HTTP answers (below); socket errors and our own stops as for any link. */
export function classify(cause: LinkCause): CloseOutcome {
  return classifyStandard(cause, { http: classifyHttp, close: classifyClose });
}

/** HTTP answers to the upgrade: 401/403 are the Push server saying no; the rest as for any WebSocket. */
export function classifyHttp(status: number, headers: Record<string, string | string[] | undefined>): CloseOutcome {
  if (status === 401 || status === 403) return { recovery: 'fatal', error: new AuthError(`the Push server refused the connection: HTTP ${status}`, REFUSED_HINT) };
  return defaultHttpOutcome(status, headers);
}

export interface PushOptions {
  protocol: 'push';
  endpoint: ScEndpoint;
  /** --urn: resume this session instead of registering a new user. */
  urn: string | undefined;
  send: string | undefined;
  stdin: boolean;
}

export function parseOptions(raw: RawOptions, common: CommonOptions): ParsedOptions<PushOptions> {
  const str = (k: string) => (typeof raw[k] === 'string' && (raw[k] as string).length > 0 ? (raw[k] as string) : undefined);
  if (!common.url && !str('host')) throw new UsageError('push: missing --host or EVTAIL_HOST', 'pass --host <hostname> (the Push WebSocket server), or --url');
  let url: URL;
  try {
    url = pushUrl({ url: common.url, host: str('host'), channelUuid: str('channelUuid'), hostApi: str('hostApi') });
  } catch {
    throw new UsageError(`push: not a valid URL: ${common.url ?? str('host')}`, 'pass --host <hostname> or --url ws[s]://host/socketcluster/');
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UsageError(`push: the URL must be ws:// or wss://, got ${url.protocol}`);
  if (!url.searchParams.get('channelUUID')) throw new UsageError('push: missing --channel-uuid or EVTAIL_CHANNEL_UUID', "the Push channel's UUID, from the web-chat embed code");
  if (!url.searchParams.get('hostApi')) throw new UsageError('push: missing --host-api or EVTAIL_HOST_API', 'the Push API URL, from the web-chat embed code');
  // The URL's own path, whatever it is (pushUrl puts /socketcluster/ on a bare --host).
  const endpoint = { ...parseScUrl(url.href)!, path: url.pathname };
  return { url: url.href, options: { protocol: 'push', endpoint, urn: str('urn'), send: str('send'), stdin: raw.stdin === true } };
}

export class PushDriver implements Driver {
  readonly provider = 'push';
  readonly url: URL;
  readonly endpoint: ScEndpoint;
  /** The session urn: from --urn or the first registerUser; reused after every reconnect. */
  urn: string | undefined;
  /** Messages waiting for a subscribed connection: --send, then --stdin lines. */
  private readonly outbox: ChatOutbox;
  private hooks: DriverHooks | undefined;
  skipped = 0;
  /** Auth tokens the server may set (#setAuthToken), kept for the run like the browser client keeps them. */
  readonly tokens = new TokenStore();

  constructor(
    readonly ctx: DriverContext<PushOptions>,
    private readonly stdin?: Readable,
  ) {
    this.url = new URL(ctx.url);
    this.endpoint = ctx.options.endpoint;
    this.urn = ctx.options.urn;
    this.outbox = new ChatOutbox(ctx.options.send);
  }

  connect(hooks: DriverHooks): Connection {
    this.hooks = hooks;
    this.startStdin();
    return new PushConnection(this, hooks);
  }

  /** A connection is subscribed: it carries what we send from now on. */
  subscribed(conn: PushConnection): void {
    this.outbox.attach(conn);
  }

  detach(conn: PushConnection): void {
    this.outbox.detach(conn);
  }

  /** The run is over, even between connections: no more stdin. */
  dispose(): void {
    this.stop();
  }

  /** We are stopping: no more stdin. */
  stop(): void {
    this.outbox.stop();
  }

  private startStdin(): void {
    if (!this.ctx.options.stdin) return;
    this.outbox.readLines(this.stdin ?? ((this.ctx.stdin?.() ?? process.stdin) as Readable), () => this.hooks?.debug('stdin ended; still tailing'), this.ctx.lines);
  }
}

/** One connection attempt: an ScLink, with Push's protocol on top (registerUser, the urn's channel, sends). */
class PushConnection extends LinkedConnection {
  protected readonly link: ScLink;
  /** The urn's channel, once subscribed to on this connection: the only one whose publishes are ours. */
  private channel: string | undefined;
  private subscribed = false;

  constructor(
    private readonly driver: PushDriver,
    private readonly hooks: DriverHooks,
  ) {
    super();
    const ctx = driver.ctx;
    this.link = new ScLink(
      hooks,
      { url: driver.url.href, endpoint: driver.endpoint, protocolVersion: 1, transport: ctx.transport, tokens: driver.tokens, ackTimeoutMs: ACK_TIMEOUT_MS, liveness: 'pings' },
      {
        onConnect: (status) => this.onHandshake(status),
        onSubscribed: () => {
          this.subscribed = true;
          hooks.ready(`subscribed to ${this.channel}`);
          driver.subscribed(this);
        },
        onSubscribeFail: (channel, error) => {
          const resumed = ctx.options.urn === channel;
          this.fail(new AuthError(`the Push server refused the subscription to ${channel}: ${error?.message ?? 'no reason given'}`, resumed ? 'the urn given with --urn may have expired: run without --urn to register a new user' : REFUSED_HINT));
        },
        onKickOut: (channel, message) => this.fail(new AuthError(`the Push server removed us from ${channel}${message ? `: ${message}` : ''}`, REFUSED_HINT)),
        onPublish: (channel, data, frame, json) => {
          if (channel === this.channel) this.onMessage(data, channel, frame, json);
        },
        onTransmit: (event) => hooks.debug(`ignoring server event ${event}`),
        classify,
        onClosed: () => {
          this.subscribed = false;
          driver.detach(this);
        },
      },
    );
  }

  private onHandshake(status: HandshakeStatus): void {
    const raw = status?.pingTimeout;
    const pingTimeout = typeof raw === 'number' && raw > 0 ? raw : DEFAULT_PING_TIMEOUT_MS;
    // ScLink arms the watchdog from the handshake's pingTimeout; without one, SocketCluster's default applies.
    if (pingTimeout !== raw) {
      this.hooks.debug(`handshake without a pingTimeout; using ${DEFAULT_PING_TIMEOUT_MS} ms`);
      this.hooks.heartbeat({ mode: 'silence', timeoutMs: pingTimeout });
    }
    this.hooks.debug(`handshake done: a #1 is due within ${pingTimeout} ms`);
    if (this.driver.urn) this.subscribe(this.driver.urn);
    else void this.register();
  }

  private async register(): Promise<void> {
    let reply: unknown;
    try {
      reply = await this.link.invoke('registerUser', {});
    } catch (err) {
      if (this.link.isFinished) return;
      const e = err as Error;
      if (e.name === 'BadConnectionError') return; // the close that follows reports it
      if (e.name === 'TimeoutError') return this.link.abort({ recovery: 'retry', reason: `registerUser got no answer within ${formatDuration(ACK_TIMEOUT_MS)}` });
      return this.fail(new AuthError(`channel refused: registerUser failed: ${e.message || e.name}`, REFUSED_HINT));
    }
    if (this.link.isFinished) return;
    const r = parseRegisterReply(reply);
    if ('error' in r) return this.fail(new AuthError(`channel refused: ${r.error}`, REFUSED_HINT));
    this.driver.urn = r.urn;
    this.hooks.status(`registered: urn ${r.urn}`);
    this.subscribe(r.urn);
  }

  private subscribe(urn: string): void {
    this.channel = urn;
    this.link.subscribe(urn);
  }

  private onMessage(msg: unknown, urn: string, raw: string, json: string | undefined): void {
    const c = toEvent(msg, urn, receivedAt(), raw, json);
    if ('error' in c) return this.hooks.undecodable(raw, c.error);
    if ('skip' in c) {
      this.driver.skipped += 1;
      return this.hooks.debug(`skipped a message ${c.skip}, not to ${urn} (${this.driver.skipped} skipped so far)`);
    }
    this.hooks.event(c.event);
  }

  get canSend(): boolean {
    return this.subscribed && this.link.isOpen;
  }

  /** sendMessageToChannel by transmit: no cid, no answer expected. */
  sendText(text: string): void {
    const urn = this.driver.urn;
    if (!urn || !this.canSend) return;
    this.link.transmit('sendMessageToChannel', { text, userUrn: urn });
  }

  /** A refusal: stop this link with a fatal verdict. */
  private fail(error: AuthError): void {
    if (this.link.isFinished) return;
    this.link.end({ recovery: 'fatal', error }, 'refused');
  }

  override close(): void {
    this.driver.stop();
    super.close();
  }
}
