/**
 * A Doshii App WebSocket v3 server that speaks the published protocol (seed 001, protocols.md §2), for tests,
 * `evtail demo doshii` and `evtail mock doshii`.
 *
 * - Accepts the upgrade on /app/socket/v3 (and the older /app/socket) with ?auth=<base64(clientId)>; a missing or
 *   unknown client id, or --refuse, is refused with HTTP 401 (or --refuse-status); any other path gets 404.
 * - Sends no event before the client's first {"doshii":{"ping":…}} (the handshake), then a paced, numbered mix of
 *   the documented events in both envelopes. Every payload's `id` is the event's number, shared across
 *   connections, so a client can check that nothing was lost or repeated.
 * - Answers every ping with a pong in either published shape; may send its own pings (--server-ping-interval).
 * Choices where the public record is silent: the pong echoes the ping's value; a client silent for
 * --heartbeat-timeout is closed with 4000 "heartbeat timeout".
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { applyFaults, commonMockSettings, EventPump, faultAfter, listen, pick, seededRandom, type CommonMockSettings, MockBase, wsVerbs } from '../mock-kit.js';
import { EVENT_NAMES, SOCKET_PATH } from './messages.js';

export interface DoshiiMockSettings extends CommonMockSettings {
  clientIds?: string[];
  refuse: boolean;
  refuseStatus: number;
  envelope: 'emit' | 'event' | 'mixed';
  pongShape: 'plain' | 'message' | 'mixed';
  stopPongsAfter?: number;
  serverPingIntervalMs: number;
  heartbeatTimeoutMs: number;
}

export interface SentEvent {
  seq: number;
  name: string;
  envelope: 'emit' | 'event';
}

const PATHS = new Set([SOCKET_PATH, '/app/socket']);
const SERVER_VERSION = '3.58.1';
const API = 'https://sandbox.doshii.co/app/v3';
const LOG_LIMIT = 1000;

const locations = ['pRJaMkwx', 'vNdBX3ep', 'gK8w2Q0a'];
const orderStatuses = ['pending', 'accepted', 'accepted', 'complete', 'rejected', 'cancelled'];
const orderTypes = ['pickup', 'delivery', 'dinein'];
const customers = ['Ava Nguyen', 'Liam Smith', 'Noah Patel', 'Mia Rossi', 'Zoe Williams'];
const menuItems = [
  { posId: 'item-101', name: 'Flat White', price: 450 },
  { posId: 'item-102', name: 'Smashed Avo', price: 1850 },
  { posId: 'item-203', name: 'Margherita Pizza', price: 2200 },
  { posId: 'item-310', name: 'Fish & Chips', price: 2450 },
];

/** A realistic mix: mostly orders and transactions, then bookings, check-ins and the rest. */
const weighted: readonly (typeof EVENT_NAMES)[number][] = [
  ...Array<'order_created'>(4).fill('order_created'), ...Array<'order_updated'>(4).fill('order_updated'), 'order_preprocess',
  'transaction_created', 'transaction_created', 'transaction_updated', 'transaction_updated', 'transaction_updated',
  'booking_created', 'booking_updated', 'booking_updated', 'checkin_created', 'checkin_updated', 'checkin_updated', 'checkin_deleted',
  'table_created', 'table_updated', 'table_updated', 'table_removed', 'table_bulk_updated',
  'menu_updated', 'app_menu_updated', 'app_menu_item_updated', 'app_menu_item_updated',
  'location_subscription', 'location_hours_updated', 'app_store_status_updated',
  'points_redemption', 'reward_redemption', 'card_activate', 'card_enquiry',
  'loyalty_checkin_created', 'loyalty_checkin_updated', 'loyalty_checkin_deleted',
];

export class DoshiiMock extends MockBase {
  private seq = 0;
  private connectionCount = 0;
  private readonly rand = seededRandom(8);
  readonly stats = {
    /** Every upgrade request, accepted or not. */
    upgrades: 0,
    refused: 0,
    connections: 0,
    /** Client heartbeats received. */
    pings: 0,
    pongsSent: { plain: 0, message: 0 },
    serverPings: 0,
    /** Pongs the client sent back to our pings. */
    pongsReceived: 0,
    eventsSent: 0,
    envelopes: { emit: 0, event: 0 },
  };
  /** Per upgrade request (first 1000): the path, the raw auth and deviceId query values. */
  readonly requests: { path: string; auth: string | null; deviceId: string | null }[] = [];
  /** Per connection (first 1000): the first frame the client sent. */
  readonly firstFrames: string[] = [];
  /** The first 1000 events sent. */
  readonly sent: SentEvent[] = [];

  constructor(readonly settings: DoshiiMockSettings) {
    super();
  }

  get demoOptions(): Record<string, unknown> {
    return { clientId: this.settings.clientIds?.[0] ?? 'demo-client-id' };
  }

  async start(): Promise<this> {
    this.server = await listen(
      this.settings.host,
      this.settings.port,
      { verifyClient: (info: { req: IncomingMessage }, cb: (ok: boolean, code?: number, message?: string) => void) => this.verify(info.req, cb) },
      SOCKET_PATH,
      this.settings.tls,
    );
    this.server.wss.on('connection', (ws) => this.onConnection(ws));
    return this;
  }


  /** The client id inside ?auth=, or undefined when it is not base64 of something. */
  static decodeAuth(auth: string | null): string | undefined {
    if (!auth) return undefined;
    // A client that concatenates base64 into the URL unencoded (as the published example does) turns '+' into ' '.
    const b64 = auth.replace(/ /g, '+');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
    const id = Buffer.from(b64, 'base64').toString('utf8');
    return id === '' ? undefined : id;
  }

  private verify(req: IncomingMessage, cb: (ok: boolean, code?: number, message?: string) => void): void {
    this.stats.upgrades += 1;
    const url = new URL(req.url ?? '/', 'http://mock');
    const auth = url.searchParams.get('auth');
    if (this.requests.length < LOG_LIMIT) this.requests.push({ path: url.pathname, auth, deviceId: url.searchParams.get('deviceId') });
    if (!PATHS.has(url.pathname)) return cb(false, 404, 'Not Found');
    const clientId = DoshiiMock.decodeAuth(auth);
    const s = this.settings;
    const ok = !s.refuse && clientId !== undefined && (!s.clientIds?.length || s.clientIds.includes(clientId));
    if (!ok) {
      this.stats.refused += 1;
      const status = s.refuse ? s.refuseStatus : 401;
      return cb(false, status, status === 403 ? 'Forbidden' : 'Unauthorized');
    }
    cb(true);
  }

  /** The next event: a documented name and a plausible payload whose id is the event's number. */
  makeEvent(): { seq: number; name: string; payload: Record<string, unknown> } {
    this.seq += 1;
    const seq = this.seq;
    const id = String(seq);
    const r = this.rand;
    const name = pick(r, weighted);
    const locationId = pick(r, locations);
    const now = new Date();
    const version = `v${(seq * 2654435761 >>> 0).toString(36)}`;
    const base = { id, locationId };
    let payload: Record<string, unknown>;
    if (name.startsWith('order_')) {
      const items = [pick(r, menuItems), pick(r, menuItems)];
      payload = {
        ...base,
        uri: `${API}/orders/${id}`,
        status: name === 'order_created' || name === 'order_preprocess' ? 'pending' : pick(r, orderStatuses),
        type: pick(r, orderTypes),
        externalOrderRef: `EXT-${10000 + seq}`,
        totalAmount: items.reduce((sum, i) => sum + i.price, 0),
        items: items.map((i) => ({ posId: i.posId, name: i.name, quantity: 1, unitPrice: i.price })),
        version,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };
    } else if (name.startsWith('transaction_')) {
      const orderId = String(Math.max(1, seq - 1));
      payload = { ...base, uri: `${API}/transactions/${id}`, orderId, status: name === 'transaction_created' ? 'requested' : pick(r, ['pending', 'complete', 'rejected']), amount: pick(r, menuItems).price, tip: 0, reference: `TXN-${seq}`, version };
    } else if (name.startsWith('booking_')) {
      const date = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 11) + '19:30:00.000Z';
      payload = { ...base, uri: `${API}/bookings/${id}`, status: pick(r, ['pending', 'accepted', 'seated', 'cancelled']), covers: 2 + (seq % 5), date, tableNames: [String(10 + (seq % 8))], consumer: { name: pick(r, customers) }, version };
    } else if (name.startsWith('checkin_') || name.startsWith('loyalty_checkin_')) {
      const loyalty = name.startsWith('loyalty_');
      payload = {
        ...base,
        uri: `${API}/${loyalty ? 'loyalty/checkins' : 'checkins'}/${id}`,
        status: name.endsWith('_deleted') ? 'cancelled' : pick(r, ['pending', 'seated', 'complete']),
        ...(loyalty ? { memberId: `mem-${700 + (seq % 50)}` } : { tableNames: [String(10 + (seq % 8))], covers: 1 + (seq % 6) }),
        ref: `CHK-${seq}`,
        version,
      };
    } else if (name === 'table_bulk_updated') {
      payload = { ...base, uri: `${API}/locations/${locationId}/tables`, tables: [0, 1, 2].map((k) => ({ name: String(10 + k), covers: 4, isActive: k !== 2 })) };
    } else if (name.startsWith('table_')) {
      const table = String(10 + (seq % 8));
      payload = { ...base, name: table, uri: `${API}/locations/${locationId}/tables/${table}`, covers: 2 + (seq % 4), isActive: name !== 'table_removed', version };
    } else if (name === 'app_menu_item_updated') {
      const item = pick(r, menuItems);
      payload = { ...base, posId: item.posId, name: item.name, status: pick(r, ['available', 'unavailable']), uri: `${API}/locations/${locationId}/menu/products/${item.posId}`, version };
    } else if (name.includes('menu')) {
      payload = { ...base, uri: `${API}/locations/${locationId}/menu`, version };
    } else if (name === 'location_subscription') {
      payload = { ...base, uri: `${API}/locations/${locationId}`, status: pick(r, ['subscribed', 'subscribed', 'unsubscribed']) };
    } else if (name === 'location_hours_updated') {
      payload = { ...base, uri: `${API}/locations/${locationId}/hours` };
    } else if (name === 'app_store_status_updated') {
      payload = { ...base, uri: `${API}/locations/${locationId}`, status: pick(r, ['online', 'offline']) };
    } else {
      // points_redemption, reward_redemption, card_activate, card_enquiry
      payload = {
        ...base,
        uri: `${API}/loyalty/${name.replace(/_/g, '-')}/${id}`,
        memberId: `mem-${700 + (seq % 50)}`,
        status: pick(r, ['requested', 'approved', 'declined']),
        ...(name === 'points_redemption' ? { points: 100 * (1 + (seq % 10)) } : {}),
        ...(name === 'reward_redemption' ? { rewardId: `rwd-${seq % 7}` } : {}),
        ...(name.startsWith('card_') ? { cardNumber: `•••• ${String(1000 + ((seq * 37) % 9000))}`, ...(name === 'card_enquiry' ? { amount: 5000 } : {}) } : {}),
      };
    }
    return { seq, name, payload };
  }

  private envelopeFor(seq: number): 'emit' | 'event' {
    const e = this.settings.envelope;
    return e === 'mixed' ? (seq % 2 === 1 ? 'emit' : 'event') : e;
  }

  private onConnection(ws: WebSocket): void {
    this.stats.connections += 1;
    const index = ++this.connectionCount;
    const s = this.settings;
    const plan = { active: s.faulty === undefined || index <= s.faulty, settings: s as CommonMockSettings };
    let handshaken = false;
    let first = true;
    let ponging = !(plan.active && s.stopPongsAfter === 0);
    let silent = false;
    let pongs = 0;
    let pump: EventPump | undefined;
    let serverPings: NodeJS.Timeout | undefined;
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => ws.close(4000, 'heartbeat timeout'), s.heartbeatTimeoutMs);
    };
    armIdle();
    ws.on('close', () => {
      if (idle) clearTimeout(idle);
      if (serverPings) clearInterval(serverPings);
      pump?.stop();
    });
    ws.on('error', () => undefined);
    this.emit('connection', index);

    ws.on('message', (data) => {
      const text = data.toString();
      if (first) {
        first = false;
        if (this.firstFrames.length < LOG_LIMIT) this.firstFrames.push(text);
      }
      let msg: { doshii?: { ping?: unknown; pong?: unknown } };
      try {
        msg = JSON.parse(text);
      } catch {
        return; // garbage from a client is ignored
      }
      const d = msg?.doshii;
      if (!d || typeof d !== 'object') return;
      if ('pong' in d) {
        this.stats.pongsReceived += 1;
        return;
      }
      if (!('ping' in d)) return;
      this.stats.pings += 1;
      armIdle();
      if (ponging && !silent) {
        pongs += 1;
        const shape = s.pongShape === 'mixed' ? (pongs % 2 === 1 ? 'plain' : 'message') : s.pongShape;
        this.stats.pongsSent[shape] += 1;
        const pong = { doshii: { pong: d.ping, version: SERVER_VERSION } };
        ws.send(JSON.stringify(shape === 'plain' ? { doshii: { pong: d.ping } } : { type: 'message', data: pong }));
      }
      if (handshaken) return;
      handshaken = true;
      if (s.serverPingIntervalMs > 0) {
        serverPings = setInterval(() => {
          if (silent || ws.readyState !== ws.OPEN) return;
          this.stats.serverPings += 1;
          ws.send(JSON.stringify({ type: 'message', data: { doshii: { ping: Date.now(), version: SERVER_VERSION } } }));
        }, s.serverPingIntervalMs);
      }
      if (s.count === 0) return; // --count 0: a link that never carries an event
      pump = new EventPump(ws, s.rate, () =>
        this.sendOne(ws, pump!, plan, () => (ponging = false), () => (silent = true)),
      );
      pump.start();
    });
  }

  /** Send one event and apply the faults due after it. Returns false to stop the pump. */
  private sendOne(ws: WebSocket, pump: EventPump, plan: { active: boolean; settings: CommonMockSettings }, stopPongs: () => void, goSilent: () => void): boolean {
    if (ws.readyState !== ws.OPEN) return false;
    const { seq, name, payload } = this.makeEvent();
    const envelope = this.envelopeFor(seq);
    ws.send(JSON.stringify(envelope === 'emit' ? { emit: [name, payload] } : { event: name, data: payload }));
    this.stats.eventsSent += 1;
    this.stats.envelopes[envelope] += 1;
    if (this.sent.length < LOG_LIMIT) this.sent.push({ seq, name, envelope });
    const sent = pump.sent + 1;
    if (plan.active && this.settings.stopPongsAfter !== undefined && sent === this.settings.stopPongsAfter) stopPongs();
    const actions = faultAfter(plan, sent);
    if (!actions.length) return true;
    return applyFaults(actions, this.settings, {
      ...wsVerbs(ws),
      malformed: '{"emit":["order_updated",{"id":',
      oversized: (padding) => {
        const big = this.makeEvent();
        const padded = { ...big.payload, padding };
        return JSON.stringify(this.envelopeFor(big.seq) === 'emit' ? { emit: [big.name, padded] } : { event: big.name, data: padded });
      },
      goSilent,
      goDown: (ms) => this.server.goDown(ms),
      emit: (event, action) => this.emit(event, action),
    });
  }
}

export async function startDoshiiMock(options: Record<string, unknown>): Promise<DoshiiMock> {
  const ids = Array.isArray(options.clientId) ? (options.clientId as string[]) : typeof options.clientId === 'string' ? [options.clientId] : undefined;
  const num = (k: string) => (typeof options[k] === 'number' ? (options[k] as number) : undefined);
  const settings: DoshiiMockSettings = {
    ...commonMockSettings(options),
    clientIds: ids,
    refuse: options.refuse === true,
    refuseStatus: num('refuseStatus') ?? 401,
    envelope: (options.envelope as DoshiiMockSettings['envelope']) ?? 'mixed',
    pongShape: (options.pongShape as DoshiiMockSettings['pongShape']) ?? 'mixed',
    stopPongsAfter: num('stopPongsAfter'),
    serverPingIntervalMs: num('serverPingInterval') ?? 0,
    heartbeatTimeoutMs: num('heartbeatTimeout') ?? 90_000,
  };
  return new DoshiiMock(settings).start();
}
