/**
 * A Webinate users server socket API that behaves like the published one (seed 004, protocols.md §5), for
 * tests, `evtail demo webinate` and `evtail mock webinate`.
 *
 * What it copies from the real server: the Origin header is tested against each approvedSocketDomains entry
 * as an unanchored regular expression (`new RegExp(domain)`, so "localhost" also approves
 * "http://localhost.evil.example"); a missing Origin is never approved; a `users-api-key` header equal to the
 * socketApiKey approves the client whatever its Origin (a "trusted third party"); an unapproved client gets a
 * completed upgrade and then a terminated socket (close 1006, no message); invalid JSON and unknown event
 * types from a client are ignored; MetaRequest needs a trusted third party. There is no heartbeat; WebSocket
 * pings are answered (unless a fault says otherwise).
 *
 * Choices where the record is silent: events go to every approved client; each carries `id: "wb-<n>"`
 * (a counter shared across connections, not a field of the real protocol) so a client can check order and
 * completeness; the Echo reply is the client's token sent back as received.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { UsageError } from '../../errors.js';
import { applyFaults, commonMockSettings, EventPump, faultAfter, listen, pick, seededRandom, type CommonMockSettings, MockBase, wsVerbs } from '../mock-kit.js';
import { EVENT_NAMES, EVENT_NUMBERS, type BucketEntry, type FileEntry, type Token } from './messages.js';

export type Generation = 'numeric' | 'string' | 'mixed';

/** The example config's list from the published document, plus the Origin its JavaScript example sends. */
export const DEFAULT_APPROVED_SOCKET_DOMAINS: readonly string[] = [
  'localhost',
  '^ws://www.webinate.net:123$',
  '^webinate\\.net:80$',
  '^example\\.com$',
  '^.+\\.example\\.com$',
  '^example\\.org',
  '^.+\\.example\\.org',
  '^trusted-host$',
];
export const DEFAULT_SOCKET_API_KEY = 'mock-socket-api-key';
/** An Origin the default list approves (through the unanchored "localhost"). */
export const DEMO_ORIGIN = 'http://localhost';

export interface WebinateMockSettings extends CommonMockSettings {
  approvedSocketDomains: string[];
  socketApiKey?: string;
  generation: Generation;
  /** Approving a socket (bcrypt key check, session lookup) takes this long; frames before are dropped. */
  approvalDelay: number;
  /** SID → username: the logged-in sessions. */
  sessions: Map<string, string>;
}

/** The session lookup (a database read) that comes before the server listens. */
const SESSION_LOOKUP_MS = 5;
export const DEFAULT_SESSIONS: readonly string[] = ['sid-alice=alice', 'sid-bob=bob'];

const users = ['alice', 'bob', 'carol', 'dmitri', 'erin', 'farah'];
const files = [
  { name: 'invoice-2026-11.pdf', mimeType: 'application/pdf', size: 184_322 },
  { name: 'holiday.jpg', mimeType: 'image/jpeg', size: 2_483_110 },
  { name: 'level-03.scene.json', mimeType: 'application/json', size: 48_761 },
  { name: 'demo-reel.mp4', mimeType: 'video/mp4', size: 73_400_320 },
  { name: 'notes.txt', mimeType: 'text/plain', size: 1_204 },
  { name: 'avatar.png', mimeType: 'image/png', size: 96_512 },
];
const bucketSuffixes = ['uploads', 'assets', 'backups', 'textures'];
/** Kinds of periodic event, weighted towards the common ones. */
const kinds = [1, 1, 2, 5, 5, 5, 6, 7, 8, 3, 4] as const;

export interface ConnectionInfo {
  index: number;
  origin: string | undefined;
  approved: boolean;
  thirdParty: boolean;
  sid: string | undefined;
  /** The user the SID's session belongs to (string generation: whose events this connection gets). */
  user: string | undefined;
}

export class WebinateMock extends MockBase {
  private seq = 0;
  private connectionCount = 0;
  private readonly rand = seededRandom(11);
  private readonly patterns: RegExp[];
  private readonly approvedClients = new Set<WebSocket>();
  /** Per-user meta data for MetaRequest. */
  private readonly meta = new Map<string, Record<string, unknown>>();
  private hex = 0x65a1f00d;
  readonly stats = { connections: 0, approved: 0, refused: 0, thirdParty: 0, framesReceived: 0, droppedBeforeApproval: 0, echoes: 0, metaRequests: 0, pings: 0, eventsSent: 0 };
  /** Every token a client sent that the server read (after it was listening), in order. */
  readonly received: Token[] = [];
  /** One entry per connection, in order: what the mock saw and decided. */
  readonly connections: ConnectionInfo[] = [];

  constructor(readonly settings: WebinateMockSettings) {
    super();
    this.patterns = settings.approvedSocketDomains.map((d) => {
      try {
        return new RegExp(d);
      } catch (err) {
        throw new UsageError(`approvedSocketDomains: not a regular expression: ${d} (${(err as Error).message})`);
      }
    });
    for (const u of users) this.meta.set(u, { plan: 'free', theme: 'dark', lastSeen: 1_763_800_000_000 });
  }

  /** An Origin this mock approves (or, failing one, its API key): what `evtail demo` and the "try:" line use. */
  get demoOptions(): Record<string, unknown> {
    // A current server sends events only to trusted third parties and session holders.
    if (this.settings.generation === 'string' && this.settings.socketApiKey) return { origin: DEMO_ORIGIN, apiKey: this.settings.socketApiKey };
    const candidates = [DEMO_ORIGIN, 'trusted-host', `http://127.0.0.1:${this.port}`, 'http://127.0.0.1', 'https://example.com'];
    const origin = candidates.find((o) => this.approves(o, undefined).approved);
    if (origin) return { origin };
    return this.settings.socketApiKey ? { apiKey: this.settings.socketApiKey } : { origin: DEMO_ORIGIN };
  }

  async start(): Promise<this> {
    // No autoPong: a "silent" fault must be able to stop answering pings.
    this.server = await listen(this.settings.host, this.settings.port, { autoPong: false }, '', this.settings.tls);
    this.server.wss.on('connection', (ws, req) => this.onConnection(ws, req));
    return this;
  }


  /** The real server's check: any entry that matches (unanchored) approves; a valid API key approves anyone. */
  approves(origin: string | undefined, apiKey: string | undefined): { approved: boolean; thirdParty: boolean; compares: number } {
    const thirdParty = apiKey !== undefined && this.settings.socketApiKey !== undefined && apiKey === this.settings.socketApiKey;
    // The real server loops over the list and checks the key (bcrypt) inside the loop, once per entry until one
    // approves: an empty list approves no one.
    let compares = 0;
    for (const re of this.patterns) {
      if (apiKey !== undefined) compares += 1;
      if (thirdParty || (origin !== undefined && re.test(origin))) return { approved: true, thirdParty, compares };
    }
    return { approved: false, thirdParty, compares };
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    this.stats.connections += 1;
    const index = ++this.connectionCount;
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const keyHeader = req.headers['users-api-key'];
    const apiKey = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
    const sid = /(?:^|;\s*)SID=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
    const { approved, thirdParty, compares } = this.approves(origin, apiKey);
    const user = sid === undefined ? undefined : this.settings.sessions.get(sid);
    this.connections.push({ index, origin, approved, thirdParty, sid, user });
    ws.on('error', () => undefined);
    this.emit('connection', index, approved);
    // Each bcrypt compare of the key takes --approval-delay; the session lookup after it a moment more.
    // Without a key and a SID there is nothing to look up: the listener comes a microtask later (a resolved promise).
    const approvalMs = compares * this.settings.approvalDelay + (sid === undefined ? 0 : SESSION_LOOKUP_MS);
    if (!approved) {
      // The upgrade is done: the client sees open, then the socket dies without a close frame.
      this.stats.refused += 1;
      setTimeout(() => ws.terminate(), compares * this.settings.approvalDelay);
      return;
    }
    this.stats.approved += 1;
    if (thirdParty) this.stats.thirdParty += 1;
    this.approvedClients.add(ws);

    const s = this.settings;
    const plan = { active: s.faulty === undefined || index <= s.faulty, settings: s };
    let silent = false;
    let pump: EventPump | undefined;
    ws.on('close', () => {
      this.approvedClients.delete(ws);
      pump?.stop();
    });
    ws.on('ping', (data) => {
      this.stats.pings += 1;
      if (!silent) ws.pong(data);
    });
    // The real server attaches its listener once the session lookup is done (client-connection.ts); until then
    // a frame from the client is dropped and no event reaches the connection.
    let listening = false;
    ws.on('message', (data) => {
      this.stats.framesReceived += 1;
      if (!listening) {
        this.stats.droppedBeforeApproval += 1;
        return;
      }
      if (silent) return;
      this.onClientToken(ws, data.toString(), thirdParty);
    });
    const deliverable = (token: Token) => s.generation !== 'string' || thirdParty || (user !== undefined && token.username === user);
    const later = (fn: () => void) => (approvalMs === 0 ? queueMicrotask(fn) : setTimeout(fn, approvalMs));
    later(() => {
      if (ws.readyState !== ws.OPEN) return;
      listening = true;
      if (s.count === 0) return; // --count 0: a link that never carries an event
      pump = new EventPump(ws, s.rate, () => this.sendOne(ws, pump!, plan, () => (silent = true), deliverable));
      pump.start();
    });
  }

  /** Which event a client token is, the way this server generation reads it. */
  private kindOf(token: Token): number | undefined {
    const g = this.settings.generation;
    if (g !== 'string' && typeof token.eventType === 'number') return token.eventType;
    // The current server: MetaRequest is its only inbound instruction (socket-event-types.ts ServerInstructionType);
    // eventType is ignored, and there is no Echo.
    if (g === 'string') return token.type === 'MetaRequest' ? 9 : undefined;
    if (typeof token.type === 'string') return EVENT_NUMBERS[token.type];
    return undefined;
  }

  private onClientToken(ws: WebSocket, text: string, thirdParty: boolean): void {
    let token: Token;
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
      token = v as Token;
    } catch {
      return; // the real server logs "Could not parse socket message" and carries on
    }
    if (this.received.length < 1000) this.received.push(token);
    const kind = this.kindOf(token);
    if (kind === 10) {
      this.stats.echoes += 1;
      const reply = JSON.stringify(token);
      if (token.broadcast) for (const c of this.approvedClients) c.send(reply);
      else ws.send(reply);
      return;
    }
    if (kind === 9) {
      this.stats.metaRequests += 1;
      ws.send(JSON.stringify(this.metaReply(token, thirdParty)));
    }
    // Anything else: no reply, as on the real server.
  }

  private stamp(kind: number, body: Record<string, unknown>, forcedForm?: 'numeric' | 'string'): Token {
    const form = forcedForm ?? (this.settings.generation === 'mixed' ? (this.seq % 2 === 0 ? 'string' : 'numeric') : this.settings.generation);
    return form === 'string' ? { type: EVENT_NAMES[kind]!, ...body } : { eventType: kind, ...body };
  }

  private metaReply(token: Token, thirdParty: boolean): Token {
    const form = typeof token.eventType === 'number' && this.settings.generation !== 'string' ? 'numeric' : 'string';
    const fail = (error: string) => this.stamp(9, { error }, form);
    const username = typeof token.username === 'string' ? token.username : '';
    const meta = this.meta.get(username);
    if (!meta) return fail(`Could not find user ${username || 'undefined'}`);
    if (!thirdParty) return fail('You do not have permission to make this request');
    const property = typeof token.property === 'string' && token.property ? token.property : undefined;
    let val: unknown;
    if (property && token.val !== undefined) {
      meta[property] = token.val;
      val = token.val;
    } else if (property) {
      val = meta[property];
    } else if (token.val !== undefined && typeof token.val === 'object' && token.val !== null) {
      this.meta.set(username, { ...(token.val as Record<string, unknown>) });
      val = token.val;
    } else {
      val = meta;
    }
    return this.stamp(9, { val, property, username }, form);
  }

  private objectId(): string {
    this.hex = (this.hex + 0x9e3779b1) >>> 0;
    return `65a1${this.hex.toString(16).padStart(8, '0')}${Math.floor(this.rand() * 0xffffffff).toString(16).padStart(8, '0')}4f2c`;
  }

  private bucketFor(username: string): BucketEntry {
    const suffix = pick(this.rand, bucketSuffixes);
    return {
      _id: this.objectId(),
      name: `${username}-${suffix}`,
      identifier: `${username}-${suffix}-${Math.floor(this.rand() * 1e6).toString(36)}`,
      user: username,
      created: Date.now() - Math.floor(this.rand() * 90 * 86_400_000),
      memoryUsed: Math.floor(this.rand() * 512 * 1024 * 1024),
      meta: {},
    };
  }

  private fileFor(username: string, bucket: BucketEntry): FileEntry {
    const f = pick(this.rand, files);
    const identifier = `${Math.floor(this.rand() * 0xffffffff).toString(16)}-${Math.floor(this.rand() * 0xffff).toString(16)}`;
    return {
      _id: this.objectId(),
      name: f.name,
      user: username,
      identifier,
      bucketId: bucket.identifier,
      bucketName: bucket.name,
      publicURL: `https://storage.googleapis.com/${bucket.identifier}/${identifier}`,
      created: Date.now(),
      size: f.size,
      mimeType: f.mimeType,
      isPublic: this.rand() < 0.3,
      numDownloads: 0,
      parentFile: null,
      meta: {},
    };
  }

  /** The next periodic event, numbered. */
  makeEvent(): Token {
    this.seq += 1;
    const id = `wb-${this.seq}`;
    const kind = pick(this.rand, kinds);
    const username = pick(this.rand, users);
    const newer = (): boolean => this.settings.generation === 'string' || (this.settings.generation === 'mixed' && this.seq % 2 === 0);
    let body: Record<string, unknown>;
    switch (kind) {
      case 5:
        body = { username, file: this.fileFor(username, this.bucketFor(username)) };
        break;
      case 6:
        // Documented: {file}; newer servers (IFileToken) also name the user.
        body = newer() ? { username, file: this.fileFor(username, this.bucketFor(username)) } : { file: this.fileFor(username, this.bucketFor(username)) };
        break;
      case 7:
        body = { username, bucket: this.bucketFor(username) };
        break;
      case 8:
        body = newer() ? { username, bucket: this.bucketFor(username) } : { bucket: this.bucketFor(username) };
        break;
      default:
        body = { username };
    }
    return { ...this.stamp(kind, body), id };
  }

  /** Send one event and apply the faults due after it. Returns false to stop the pump. */
  private sendOne(ws: WebSocket, pump: EventPump, plan: { active: boolean; settings: CommonMockSettings }, goSilent: () => void, deliverable: (t: Token) => boolean): boolean {
    if (ws.readyState !== ws.OPEN) return false;
    const token = this.makeEvent();
    // The current server sends a user's event only to trusted third parties and that user's sessions (comms-controller.ts).
    if (!deliverable(token)) return true;
    ws.send(JSON.stringify(token));
    this.stats.eventsSent += 1;
    const sent = pump.sent + 1;
    const actions = faultAfter(plan, sent);
    if (!actions.length) return true;
    return applyFaults(actions, this.settings, {
      ...wsVerbs(ws),
      malformed: '{"eventType":5,"username":',
      oversized: (padding) => JSON.stringify({ ...this.makeEvent(), padding }),
      goSilent,
      goDown: (ms) => this.server.goDown(ms),
      emit: (event, action) => this.emit(event, action),
    });
  }
}

export async function startWebinateMock(options: Record<string, unknown>): Promise<WebinateMock> {
  const list = options.approvedSocketDomains;
  const approvedSocketDomains = Array.isArray(list) ? list.map(String) : typeof list === 'string' ? [list] : [...DEFAULT_APPROVED_SOCKET_DOMAINS];
  const generation = options.generation;
  const settings: WebinateMockSettings = {
    ...commonMockSettings(options),
    approvedSocketDomains,
    socketApiKey: typeof options.socketApiKey === 'string' && options.socketApiKey ? options.socketApiKey : DEFAULT_SOCKET_API_KEY,
    generation: generation === 'numeric' || generation === 'mixed' ? generation : 'string',
    approvalDelay: typeof options.approvalDelay === 'number' ? options.approvalDelay : 150,
    sessions: new Map((Array.isArray(options.session) ? options.session.map(String) : [...DEFAULT_SESSIONS]).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as [string, string]).filter(([k]) => k !== '')),
  };
  return new WebinateMock(settings).start();
}
