/**
 * One SocketCluster connection (protocol version 1 or 2) as a Connection the session can drive: evtail's own
 * small client of the protocol over WsLink, like every other provider's link (docs/architecture.md says why).
 *
 * - Handshake: #handshake (with the stored auth token) as the first invoke; its answer carries the server's
 *   pingTimeout, which arms the session's watchdog in silence mode (suspended while stdout is full).
 * - Pings: '#1' is answered '#2' in version 1, '' with '' in version 2. The other version's ping means we speak
 *   the wrong one: said once through onForeignPing.
 * - Subscriptions are made on every connection (the session reconnects); their answers have a deadline, on the
 *   session's timers. Publishes reach the driver in arrival order with the frame they came in.
 * - Invokes (RPCs) resolve with the answer, or reject with the server's error, a TimeoutError after ackTimeoutMs
 *   or a BadConnectionError when the link closes first.
 * - Facts as for every WsLink; the verdict is the driver's classify (default classifySc), once, at close.
 */
import { LinkedConnection } from './linked-connection.js';
import { formatDuration } from '../format.js';
import type { CloseOutcome, DriverHooks, LinkCause, TimerHandle } from '../types.js';
import { classifySc, describeScClose, scUrl, TokenStore, type ScEndpoint } from './sc-classify.js';
import { encodeEvent, encodeResponse, hydrateError, parseScFrame } from './sc-codec.js';
import { WsLink, type TransportOptions } from './ws-transport.js';

const DEFAULT_ACK_TIMEOUT_MS = 10_000;

export interface ScLinkOptions {
  url: string;
  endpoint: ScEndpoint;
  protocolVersion: 1 | 2;
  transport: TransportOptions;
  tokens?: TokenStore;
  /** Channels to subscribe to once the handshake is done (more can be added later with subscribe()). */
  channels?: readonly string[];
  /** How long the handshake answer, the subscriptions and invokes may take (default 10 s). */
  ackTimeoutMs?: number;
  /** What feeds the watchdog: every inbound frame (default), or only the server's pings ('pings'). */
  liveness?: 'frames' | 'pings';
}

export interface HandshakeStatus {
  id?: string;
  pingTimeout?: number;
  isAuthenticated?: boolean;
  authError?: { name?: string; message?: string } | null;
}

export interface ScLinkHandlers {
  /** Handshake done (before subscriptions are confirmed). */
  onConnect?(status: HandshakeStatus): void;
  /** Every channel in `channels` is subscribed. */
  onSubscribed?(channels: string[]): void;
  onSubscribeFail?(channel: string, error: Error): void;
  onKickOut?(channel: string, message: unknown): void;
  /** A publish on a channel, with the frame it came in and the message's own text in it. */
  onPublish(channel: string, data: unknown, frame: string, json: string | undefined): void;
  /** Any other server transmit (not #publish and not the protocol's own events). */
  onTransmit?(event: string, data: unknown, frame: string): void;
  /** The server pings in the other protocol version (it will time us out: we do not answer its pings). */
  onForeignPing?(serverVersion: 1 | 2): void;
  /** The driver's one classify: the decisive cause → verdict, run once at close (default: classifySc). */
  classify?(cause: LinkCause): CloseOutcome;
  /** The link is over: called with its verdict just before hooks.closed(). */
  onClosed?(outcome: CloseOutcome): void;
}

interface Pending {
  resolve(data: unknown): void;
  reject(err: Error): void;
  timer: TimerHandle;
}

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

export class ScLink extends LinkedConnection {
  protected readonly link: WsLink;
  private readonly tokens: TokenStore;
  private readonly ackMs: number;
  private cid = 0;
  private readonly pending = new Map<number, Pending>();
  private finished = false;
  private handshaken = false;
  private foreignPing = false;
  private readonly wanted = new Set<string>();
  private readonly confirmed = new Set<string>();
  private subscribeDeadline: TimerHandle | undefined;

  constructor(
    private readonly hooks: DriverHooks,
    private readonly options: ScLinkOptions,
    private readonly handlers: ScLinkHandlers,
  ) {
    super();
    this.tokens = options.tokens ?? new TokenStore();
    this.ackMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    for (const ch of options.channels ?? []) this.wanted.add(ch);
    // A token the server hands out is a secret before the frame that carries it is shown (--verbose, --record).
    const own: DriverHooks = {
      ...hooks,
      frame: (dir, text, bytes) => {
        if (dir === 'in' && text.includes('#setAuthToken')) {
          const f = parseScFrame(text);
          if (f.ok) for (const t of f.tokens) hooks.secret(t);
        }
        hooks.frame(dir, text, bytes);
      },
    };
    this.link = new WsLink(scUrl(options.endpoint), own, options.transport, {
      onOpen: () => this.handshake(),
      onMessage: (text, isBinary) => this.onMessage(text, isBinary),
      classify: (cause) => this.onClose(cause),
    });
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** The handshake is done and the socket is open: invoke and transmit go out now. */
  get isOpen(): boolean {
    return !this.finished && this.handshaken && this.link.isOpen;
  }

  isSubscribed(channel: string): boolean {
    return this.confirmed.has(channel);
  }

  /** Subscribe to a channel, now or once the handshake is done; its answer gets the same deadline. */
  subscribe(channel: string): void {
    // A channel already wanted is subscribed at the handshake, or has been.
    if (this.finished || this.wanted.has(channel)) return;
    this.wanted.add(channel);
    if (this.handshaken) this.sendSubscribe(channel);
  }

  /** An RPC (an event with a cid). */
  invoke(event: string, data?: unknown): Promise<unknown> {
    if (!this.isOpen) return Promise.reject(named('BadConnectionError', `cannot invoke ${event}: the socket is not open`));
    return this.call(event, data);
  }

  /** An event without a cid: the server does not answer it. */
  transmit(event: string, data?: unknown): void {
    if (this.isOpen) this.link.send(encodeEvent(event, data));
  }

  /** The protocol said how this ends (a refusal): close with that as a fact. */
  end(outcome: CloseOutcome, _reason?: string): void {
    this.link.end(outcome);
  }

  /** The protocol gave up on this link (a deadline missed, a version to switch to): kill it now, with that as a fact. */
  abort(outcome: CloseOutcome): void {
    this.link.abort(outcome);
  }


  /** An invoke; `deadline: false` when a deadline of the caller's covers it (the subscriptions). */
  private call(event: string, data: unknown, deadline = true): Promise<unknown> {
    const cid = ++this.cid;
    return new Promise((resolve, reject) => {
      const timer = deadline
        ? this.hooks.timer(this.ackMs, () => {
            this.pending.delete(cid);
            reject(named('TimeoutError', `event response for ${event} timed out`));
          })
        : { cancel: () => undefined };
      this.pending.set(cid, { resolve, reject, timer });
      this.link.send(encodeEvent(event, data, cid));
    });
  }

  private handshake(): void {
    this.call('#handshake', { authToken: this.tokens.token }).then(
      (answer) => {
        if (this.finished) return;
        this.handshaken = true;
        const s = (answer ?? {}) as HandshakeStatus;
        if (typeof s.pingTimeout === 'number' && s.pingTimeout > 0) this.hooks.heartbeat({ mode: 'silence', timeoutMs: s.pingTimeout });
        // The channels wanted before the handshake; one subscribed from onConnect on goes out by itself.
        const before = [...this.wanted];
        this.handlers.onConnect?.(s);
        if (this.finished) return;
        for (const ch of before) this.sendSubscribe(ch);
      },
      (err: Error) => {
        if (this.finished) return;
        // As socketcluster-client does: no handshake answer in time is code 4007, a refused one 4003.
        const code = err.name === 'TimeoutError' ? 4007 : 4003;
        this.abort({ recovery: 'retry', reason: describeScClose(code, err.name === 'TimeoutError' ? '' : err.message), code });
      },
    );
  }

  private sendSubscribe(channel: string): void {
    this.awaitSubscriptions();
    this.call('#subscribe', { channel }, false).then(
      () => {
        this.confirmed.add(channel);
        if ([...this.wanted].every((c) => this.confirmed.has(c))) {
          this.subscribeDeadline?.cancel();
          this.subscribeDeadline = undefined;
          if (!this.finished) this.handlers.onSubscribed?.([...this.wanted]);
        }
      },
      (err: Error) => {
        if (this.finished || err.name === 'BadConnectionError' || err.name === 'TimeoutError') return; // the deadline or the close says it
        this.handlers.onSubscribeFail?.(channel, err);
      },
    );
  }

  /** Our deadline for the #subscribe answers, on the session's timers (not running while stdout is full). */
  private awaitSubscriptions(): void {
    this.subscribeDeadline?.cancel();
    this.subscribeDeadline = this.hooks.timer(this.ackMs, () => {
      const missing = [...this.wanted].filter((c) => !this.confirmed.has(c));
      this.abort({ recovery: 'retry', reason: `no answer to #subscribe (${missing.join(', ')}) within ${formatDuration(this.ackMs)}` });
    });
  }

  private onMessage(text: string, isBinary: boolean): void {
    const hooks = this.hooks;
    if (this.finished) return;
    if (isBinary) return hooks.undecodable(text, 'binary frame');
    const v = this.options.protocolVersion;
    if ((v === 1 && text === '#1') || (v === 2 && text === '')) {
      hooks.alive();
      this.link.send(v === 1 ? '#2' : '');
      return;
    }
    if (v === 2 && (text === '#1' || text === '#2')) return this.foreign(text === '#1' ? 1 : undefined);
    if (v === 1 && text === '') this.foreign(2); // and, as before, a frame that does not decode in version 1
    const f = parseScFrame(text);
    if (!f.ok) return hooks.undecodable(text, f.reason);
    if (this.options.liveness !== 'pings') hooks.alive();
    for (const item of f.items) {
      switch (item.kind) {
        case 'publish':
          if (this.wanted.has(item.channel)) this.handlers.onPublish(item.channel, item.data, text, item.json);
          break;
        case 'transmit':
          this.handlers.onTransmit?.(item.event, item.data, text);
          break;
        case 'response':
          this.answer(item.rid, item.data, item.error);
          break;
        case 'control':
          this.control(item.event, item.data, item.cid);
          break;
        case 'invalid':
          hooks.undecodable(text, item.reason);
      }
    }
  }

  private foreign(version: 1 | 2 | undefined): void {
    if (this.options.liveness !== 'pings') this.hooks.alive();
    if (version === undefined || this.foreignPing) return;
    this.foreignPing = true;
    this.handlers.onForeignPing?.(version);
  }

  private answer(rid: number, data: unknown, error: unknown): void {
    const p = this.pending.get(rid);
    if (!p) return;
    this.pending.delete(rid);
    p.timer.cancel();
    if (error !== undefined && error !== null) p.reject(hydrateError(error));
    else p.resolve(data);
  }

  private control(event: string, data: unknown, cid: number | undefined): void {
    const d = (data ?? {}) as { token?: unknown; channel?: unknown; message?: unknown };
    if (event === '#setAuthToken' && typeof d.token === 'string') this.tokens.token = d.token;
    else if (event === '#removeAuthToken') this.tokens.token = null;
    else if (event === '#kickOut' && typeof d.channel === 'string' && this.wanted.has(d.channel)) {
      this.wanted.delete(d.channel);
      this.confirmed.delete(d.channel);
      this.handlers.onKickOut?.(d.channel, d.message);
    }
    if (cid !== undefined && (event === '#setAuthToken' || event === '#removeAuthToken')) this.link.send(encodeResponse(cid));
  }

  private onClose(cause: LinkCause): CloseOutcome {
    this.finished = true;
    this.subscribeDeadline?.cancel();
    for (const [, p] of this.pending) {
      p.timer.cancel();
      p.reject(named('BadConnectionError', 'the socket closed before the answer came'));
    }
    this.pending.clear();
    const outcome = (this.handlers.classify ?? classifySc)(cause);
    this.handlers.onClosed?.(outcome);
    return outcome;
  }
}

export { TokenStore, type ScEndpoint } from './sc-classify.js';
