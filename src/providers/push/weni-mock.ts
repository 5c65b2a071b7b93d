/**
 * A Weni web-chat socket server (weni-ai/weni-webchat-socket, pkg/websocket) for tests, `evtail demo push
 * --protocol weni` and `evtail mock push --protocol weni`. What it copies from the source:
 * - the endpoint is /ws (handler.go SetupRoutes); any Origin is upgraded (websocket.go checkOrigin); with
 *   --allowed-domains the register is answered `forbidden` unless the Origin's host is listed (client.go
 *   CheckAllowedDomain);
 * - register needs `from` and `callback` ("invalid payload: blank from, blank callback"); a `from` already
 *   connected gets ErrorIDAlreadyExists, and the connected client is sent a `token` payload; success is
 *   `ready_for_message` with data.history = the contact's last 20 messages (null when none);
 * - message/ping need a registration ("unable to redirect: id and url is blank"); messages are validated as
 *   formatOutgoingPayload does (blank text, blank media_url, blank latitude…); media answers `ack` with the
 *   uploaded URL; ping answers `pong`; get_history parses limit/page (an unparsable one is answered with the error
 *   twice, as FetchHistory and the read loop both send it); close_session sends the named client a `warning`;
 *   any other type is "invalid payload: invalid payload type";
 * - a frame that is not JSON ends the connection (gorilla's ReadJSON fails, the read loop returns, no close frame);
 * - every server payload carries type, to, from and message (Go's IncomingPayload: no omitempty on them).
 * The "Flows" behind the callback is a bot: it answers each text with typing_start then `You said: <text>`, and
 * sends messages of every kind at --rate, numbered `message.messageId: "wwc-<n>"` (a real field; the numbering is
 * the mock's) so a client can check that nothing was lost or repeated.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { applyFaults, commonMockSettings, EventPump, faultAfter, listen, MockBase, pick, seededRandom, wsVerbs, type CommonMockSettings } from '../mock-kit.js';
import { ERROR_ID_EXISTS, HISTORY_LIMIT, WARNING_CLOSED_BY_REQUEST, type WeniHistoryEntry, type WeniMessage } from './weni-messages.js';

export const WENI_CALLBACK_EXAMPLE = 'https://flows.example.org/c/wwc/9f4c2b1e-7a3d-4e5f-8b6a-0c1d2e3f4a5b/receive';
const NEED_REGISTRATION = 'unable to redirect: id and url is blank';
const PREFIX = 'invalid payload:';

export interface WeniMockSettings extends CommonMockSettings {
  allowedDomains: string[];
  /** An older server: ready_for_message without data (no history in it). */
  legacyReady: boolean;
}

interface Registered {
  ws: WebSocket;
  token: string;
  at: number;
}

const kinds = ['text', 'quick', 'image', 'video', 'audio', 'file', 'location'] as const;
const texts = ['Hi! I am the demo assistant. How can I help you today?', 'Your order #48213 has shipped.', 'Reminder: your appointment is tomorrow at 10:30.', 'Thanks for waiting, an agent will be with you shortly.'];

/** Go's IncomingPayload: type, to, from and message are always there. */
function incoming(type: string, extra: Record<string, unknown> = {}, message: WeniMessage = { type: '', timestamp: '' }): string {
  return JSON.stringify({ type, to: '', from: '', ...extra, message });
}

const now = () => String(Math.floor(Date.now() / 1000));

export class WeniMock extends MockBase {
  private seq = 0;
  private readonly rand = seededRandom(17);
  readonly clients = new Map<string, Registered>();
  readonly histories = new Map<string, WeniHistoryEntry[]>();
  readonly stats = { connections: 0, registrations: 0, refusedDuplicates: 0, pings: 0, messagesIn: 0, historyRequests: 0, eventsSent: 0 };
  /** What clients sent, in order (tests check registrations and messages). */
  readonly received: Record<string, unknown>[] = [];
  readonly origins: (string | undefined)[] = [];

  constructor(readonly settings: WeniMockSettings) {
    super();
  }

  get demoOptions(): Record<string, unknown> {
    const origin = this.settings.allowedDomains[0];
    return { callback: WENI_CALLBACK_EXAMPLE, ...(origin ? { origin: `https://${origin}` } : {}) };
  }

  async start(): Promise<this> {
    this.server = await listen(this.settings.host, this.settings.port, {
      verifyClient: (info: { req: IncomingMessage }, cb: (ok: boolean, code?: number, message?: string) => void) => (new URL(info.req.url ?? '/', 'http://mock').pathname === '/ws' ? cb(true) : cb(false, 404, 'Not Found')),
    }, '/ws', this.settings.tls);
    this.server.wss.on('connection', (ws, req) => this.onConnection(ws, req));
    return this;
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    this.stats.connections += 1;
    const index = this.stats.connections;
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    this.origins.push(origin);
    const s = this.settings;
    const plan = { active: s.faulty === undefined || index <= s.faulty, settings: s };
    const conn = { from: '', silent: false, pump: undefined as EventPump | undefined };
    ws.on('error', () => undefined);
    ws.on('close', () => {
      conn.pump?.stop();
      if (conn.from && this.clients.get(conn.from)?.ws === ws) this.clients.delete(conn.from);
    });
    ws.on('message', (data, isBinary) => {
      if (conn.silent) return;
      let p: Record<string, unknown>;
      try {
        const v: unknown = JSON.parse(isBinary ? '' : data.toString());
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
        p = v as Record<string, unknown>;
      } catch {
        ws.terminate(); // ReadJSON failed: the read loop ends and the connection is closed without a close frame
        return;
      }
      this.received.push(p);
      const error = this.onPayload(ws, conn, p, origin, () => {
        if (s.count === 0) return;
        conn.pump = new EventPump(ws, s.rate, () => this.sendOne(ws, conn, plan));
        conn.pump.start();
      });
      if (error) ws.send(incoming('error', { error }));
    });
  }

  /** One client payload; returns the error text the read loop would send back, if any. */
  private onPayload(ws: WebSocket, conn: { from: string }, p: Record<string, unknown>, origin: string | undefined, startBot: () => void): string | undefined {
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    const message = (typeof p.message === 'object' && p.message !== null ? p.message : {}) as WeniMessage;
    switch (p.type) {
      case 'register': {
        const allowed = this.settings.allowedDomains;
        if (allowed.length) {
          let host = '';
          try {
            host = new URL(origin ?? '').host.split(':')[0] ?? '';
          } catch {
            host = '';
          }
          if (!allowed.includes(host)) {
            ws.send(incoming('forbidden', { warning: 'domain not allowed, forbidden connection' }));
            return undefined;
          }
        }
        const blanks = [str(p.from) ? '' : 'blank from', str(p.callback) ? '' : 'blank callback'].filter(Boolean);
        if (blanks.length) return `${PREFIX} ${blanks.join(', ')}`;
        const from = str(p.from);
        const existing = this.clients.get(from);
        if (existing) {
          this.stats.refusedDuplicates += 1;
          existing.ws.send(incoming('token', existing.token ? { token: existing.token } : {}));
          return ERROR_ID_EXISTS;
        }
        conn.from = from;
        this.clients.set(from, { ws, token: str(p.token), at: Date.now() });
        this.stats.registrations += 1;
        if (str(p.trigger)) this.bot(ws, from, str(p.trigger));
        const history = this.latest(from, HISTORY_LIMIT, 1);
        ws.send(this.settings.legacyReady ? incoming('ready_for_message') : incoming('ready_for_message', { data: { history: history.length ? history : null } }));
        startBot();
        return undefined;
      }
      case 'message':
      case 'ping': {
        if (!conn.from) return NEED_REGISTRATION;
        if (p.type === 'ping') {
          this.stats.pings += 1;
          ws.send(incoming('pong'));
          return undefined;
        }
        const checked = this.check(conn.from, message);
        if (typeof checked === 'string') return checked;
        this.stats.messagesIn += 1;
        this.save(conn.from, 'out', checked);
        if (checked.type !== 'text' && checked.type !== 'location') ws.send(incoming('ack', { to: conn.from, from: 'socket' }, checked));
        if (checked.type === 'text') this.bot(ws, conn.from, checked.text ?? '');
        return undefined;
      }
      case 'get_history': {
        if (!conn.from) return NEED_REGISTRATION;
        this.stats.historyRequests += 1;
        const params = (typeof p.params === 'object' && p.params !== null ? p.params : {}) as Record<string, unknown>;
        for (const k of ['limit', 'page']) {
          const v = params[k] === undefined || params[k] === null ? '<nil>' : String(params[k]);
          if (!/^[+-]?\d+$/.test(v)) {
            const error = `error on get history: could not parse ${k} param: strconv.Atoi: parsing "${v}": invalid syntax`;
            ws.send(incoming('error', { error }));
            return error;
          }
        }
        const history = this.latest(conn.from, Number(params.limit), Number(params.page));
        ws.send(JSON.stringify(history.length ? { type: 'history', history } : { type: 'history' }));
        return undefined;
      }
      case 'close_session': {
        const target = this.clients.get(str(p.from));
        if (!target) return 'Client not found';
        if (target.token && target.token !== str(p.token)) return 'token does not match that of the client';
        target.ws.send(incoming('warning', { warning: WARNING_CLOSED_BY_REQUEST }));
        return undefined;
      }
      default:
        return `${PREFIX} invalid payload type`;
    }
  }

  /** formatOutgoingPayload's validation; media given inline is "uploaded". */
  private check(from: string, m: WeniMessage): WeniMessage | string {
    const type = m.type ?? '';
    if (!type) return `${PREFIX} blank message type`;
    const out: WeniMessage = { type, timestamp: now() };
    if (type === 'text') {
      if (!m.text) return `${PREFIX} blank text`;
      out.text = m.text;
    } else if (['image', 'video', 'audio', 'file'].includes(type)) {
      const url = m.media ? `https://mock-bucket.s3.amazonaws.com/${from}-${Date.now()}.${/\/([a-z0-9.+-]+);/i.exec(m.media)?.[1] ?? 'bin'}` : m.media_url;
      if (!url) return `${PREFIX} blank media_url`;
      out.media_url = url;
      if (m.caption) out.caption = m.caption;
    } else if (type === 'location') {
      const blanks = [m.latitude ? '' : 'blank latitude', m.longitude ? '' : 'blank longitude'].filter(Boolean);
      if (blanks.length) return `${PREFIX} ${blanks.join(', ')}`;
      out.latitude = m.latitude;
      out.longitude = m.longitude;
    } else return `${PREFIX} invalid message type`;
    return out;
  }

  private save(from: string, direction: 'in' | 'out', message: WeniMessage): void {
    const list = this.histories.get(from) ?? [];
    list.push({ ID: (0x65a1f00d00000000n + BigInt(list.length + 1)).toString(16).padStart(24, '0'), contact_urn: from, direction, timestamp: Math.floor(Date.now() / 1000), channel_uuid: '9f4c2b1e-7a3d-4e5f-8b6a-0c1d2e3f4a5b', message });
    this.histories.set(from, list);
  }

  /** Newest first, a page at a time. */
  private latest(from: string, limit: number, page: number): WeniHistoryEntry[] {
    const all = [...(this.histories.get(from) ?? [])].reverse();
    const size = Math.max(0, limit);
    return all.slice(Math.max(0, page - 1) * size, Math.max(0, page) * size);
  }

  /** Flows posts to /send: the payload goes to the client as is, and into the history (not typing_start). */
  private deliver(ws: WebSocket, from: string, message: WeniMessage): void {
    this.save(from, 'in', message);
    ws.send(incoming('message', { to: from, from: 'Demo bot' }, message));
  }

  private bot(ws: WebSocket, from: string, text: string): void {
    ws.send(incoming('typing_start', { to: from, from: 'Demo bot' }));
    this.seq += 1;
    const quick = this.seq % 2 === 0 ? { quick_replies: ['Track my order', 'Opening hours', 'Talk to a human'] } : {};
    this.deliver(ws, from, { type: 'text', timestamp: now(), text: `You said: ${text}`, ...quick, messageId: `wwc-${this.seq}` });
  }

  /** The next periodic message, numbered. */
  makeMessage(): WeniMessage {
    this.seq += 1;
    const base = { timestamp: now(), messageId: `wwc-${this.seq}` };
    const kind = kinds[(this.seq - 1) % kinds.length]!;
    const media = (type: string, file: string, caption?: string): WeniMessage => ({ type, ...base, media_url: `https://mock-bucket.s3.amazonaws.com/${file}`, ...(caption ? { caption } : {}) });
    switch (kind) {
      case 'quick':
        return { type: 'text', ...base, text: 'Was this helpful?', quick_replies: ['Yes', 'No'] };
      case 'image':
        return media('image', 'receipt-48213.png', 'Your receipt');
      case 'video':
        return media('video', 'how-to-return.mp4');
      case 'audio':
        return media('audio', 'voice-note.ogg');
      case 'file':
        return media('file', 'invoice-48213.pdf', 'Invoice #48213');
      case 'location':
        return { type: 'location', ...base, latitude: '-23.5505', longitude: '-46.6333' };
      default:
        return { type: 'text', ...base, text: pick(this.rand, texts) };
    }
  }

  private sendOne(ws: WebSocket, conn: { from: string; silent: boolean; pump?: EventPump }, plan: { active: boolean; settings: CommonMockSettings }): boolean {
    if (ws.readyState !== ws.OPEN || !conn.from) return false;
    this.deliver(ws, conn.from, this.makeMessage());
    this.stats.eventsSent += 1;
    const actions = faultAfter(plan, (conn.pump?.sent ?? 0) + 1);
    if (!actions.length) return true;
    return applyFaults(actions, this.settings, {
      ...wsVerbs(ws),
      malformed: '{"type":"message","to":',
      oversized: (padding) => incoming('message', { to: conn.from, from: 'Demo bot' }, { ...this.makeMessage(), text: padding }),
      goSilent: () => (conn.silent = true),
      goDown: (ms) => this.server.goDown(ms),
      emit: (event, action) => this.emit(event, action),
    });
  }
}

export async function startWeniMock(options: Record<string, unknown>): Promise<WeniMock> {
  const list = options.allowedDomains;
  const settings: WeniMockSettings = {
    ...commonMockSettings(options),
    allowedDomains: Array.isArray(list) ? list.map(String) : typeof list === 'string' ? [list] : [],
    legacyReady: options.legacyReady === true,
  };
  return new WeniMock(settings).start();
}
