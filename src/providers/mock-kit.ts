/**
 * What every provider's mock shares: a WebSocket server on loopback, a paced event pump that respects
 * the client's backpressure and numbers events across connections, and the common fault knobs.
 */
import { EventEmitter, once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { MockServer } from '../types.js';
import { WebSocketServer, type WebSocket, type ServerOptions } from 'ws';

export { commonMockOptions } from './mock-options.js';

export interface CommonMockSettings {
  host: string;
  port: number;
  rate: number;
  count?: number;
  dropAfter?: number;
  closeAfter?: number;
  closeCode: number;
  closeReason?: string;
  malformedAfter?: number;
  silentAfter?: number;
  faulty?: number;
  downFor?: number;
  binaryAfter?: number;
  emptyAfter?: number;
  oversizedAfter?: number;
  oversizedBytes: number;
  tls?: MockTls;
}

export function commonMockSettings(o: Record<string, unknown>): CommonMockSettings {
  const num = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : undefined);
  return {
    host: typeof o.host === 'string' ? o.host : '127.0.0.1',
    port: num('port') ?? 0,
    rate: num('rate') ?? 2,
    count: num('count'),
    dropAfter: num('dropAfter'),
    closeAfter: num('closeAfter'),
    closeCode: num('closeCode') ?? 1011,
    closeReason: typeof o.closeReason === 'string' ? o.closeReason : undefined,
    malformedAfter: num('malformedAfter'),
    silentAfter: num('silentAfter'),
    faulty: num('faulty'),
    downFor: num('downFor'),
    binaryAfter: num('binaryAfter'),
    emptyAfter: num('emptyAfter'),
    oversizedAfter: num('oversizedAfter'),
    oversizedBytes: num('oversizedBytes') ?? 17 * 1024 * 1024,
    tls: o.tls as MockTls | undefined,
  };
}

/** What every ws-based mock shares: its server, its address, and closing it. */
export abstract class MockBase extends EventEmitter implements MockServer {
  protected server!: MockWsServer;

  get url(): string {
    return this.server.url;
  }

  get port(): number {
    return this.server.port;
  }

  /** Credentials and flags that make evtail log in to this mock (used by `evtail demo`). */
  abstract get demoOptions(): Record<string, unknown>;

  /** How many clients are connected now (a client that closed, or was dropped, no longer counts). */
  get openConnections(): number {
    return this.server.wss.clients.size;
  }

  /** Bytes this server has queued for its clients and not yet handed to the kernel (ws bufferedAmount, summed): above zero once a client stops reading. */
  backlog(): number {
    let n = 0;
    for (const c of this.server.wss.clients) n += c.bufferedAmount;
    return n;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

export interface MockWsServer {
  wss: WebSocketServer;
  port: number;
  url: string;
  /** Simulate an outage: refuse upgrades with HTTP 503 for ms milliseconds (the --down-for knob). */
  goDown(ms: number): void;
  close(): Promise<void>;
}

type VerifyCb = (ok: boolean, code?: number, message?: string) => void;
type Verify = (info: { origin: string; secure: boolean; req: IncomingMessage }, cb: VerifyCb) => void;

/** TLS material for a wss:// mock (tests of --ca and --insecure). */
export interface MockTls {
  key: string | Buffer;
  cert: string | Buffer;
}

export async function listen(host: string, port: number, options: Omit<ServerOptions, 'port' | 'host' | 'server' | 'noServer'> = {}, path = '', tls?: MockTls): Promise<MockWsServer> {
  let downUntil = 0;
  const inner = options.verifyClient as Verify | undefined;
  const verifyClient: Verify = (info, cb) => {
    if (Date.now() < downUntil) return cb(false, 503, 'Service Unavailable');
    if (inner) return inner(info, cb);
    cb(true);
  };
  let wss: WebSocketServer;
  let https: import('node:https').Server | undefined;
  if (tls) {
    const { createServer } = await import('node:https');
    https = createServer({ key: tls.key, cert: tls.cert });
    wss = new WebSocketServer({ ...options, server: https, verifyClient });
    https.listen(port, host);
    await once(https, 'listening');
  } else {
    wss = new WebSocketServer({ host, port, ...options, verifyClient });
    await once(wss, 'listening');
  }
  const addr = https ? https.address() : wss.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    wss,
    port: actualPort,
    url: `${tls ? 'wss' : 'ws'}://${shownHost}:${actualPort}${path}`,
    goDown: (ms) => {
      downUntil = Date.now() + ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => {
          if (!https) return resolve();
          https.closeAllConnections();
          https.close(() => resolve());
        });
      }),
  };
}

/** The fault plan for one connection, consulted after each event. */
export interface FaultPlan {
  active: boolean;
  settings: CommonMockSettings;
}

export type FaultAction = 'none' | 'drop' | 'close' | 'malformed' | 'binary' | 'empty' | 'oversized' | 'silent' | 'done';

export function faultAfter(plan: FaultPlan, sentOnThisConnection: number): FaultAction[] {
  const s = plan.settings;
  const actions: FaultAction[] = [];
  if (plan.active) {
    if (s.malformedAfter !== undefined && sentOnThisConnection === s.malformedAfter) actions.push('malformed');
    if (s.binaryAfter !== undefined && sentOnThisConnection === s.binaryAfter) actions.push('binary');
    if (s.emptyAfter !== undefined && sentOnThisConnection === s.emptyAfter) actions.push('empty');
    if (s.oversizedAfter !== undefined && sentOnThisConnection === s.oversizedAfter) actions.push('oversized');
    if (s.silentAfter !== undefined && sentOnThisConnection === s.silentAfter) actions.push('silent');
    if (s.dropAfter !== undefined && sentOnThisConnection === s.dropAfter) actions.push('drop');
    if (s.closeAfter !== undefined && sentOnThisConnection === s.closeAfter) actions.push('close');
  }
  if (s.count !== undefined && sentOnThisConnection >= s.count) actions.push('done');
  return actions;
}

/** How one connection of a mock carries out the common faults: the socket verbs and the provider's own frames. */
export interface FaultTarget {
  /** Send a frame as it is: text, or binary when binary is set. */
  send(data: string | Buffer, binary?: boolean): void;
  /** Destroy the TCP connection: no close frame. */
  terminate(): void;
  close(code: number, reason: string): void;
  /** The provider's malformed frame: the start of a real event frame, cut short. */
  malformed: string;
  /** A well-formed event frame carrying `padding`; it takes the next event number, so the client sees a gap it can explain. */
  oversized(padding: string): string;
  /** Stop sending events and stop answering (or sending) heartbeats: a half-open link. */
  goSilent(): void;
  /** Refuse new connections for ms (the --down-for knob). */
  goDown?(ms: number): void;
  /** Tell listeners (tests) that a drop or a close fault happened. */
  emit?(event: 'fault', action: 'drop' | 'close'): void;
  /** The reason of the normal close after --count events (default 'no more events'). */
  doneReason?: string;
}

/** A ws WebSocket's verbs, for a FaultTarget. */
export function wsVerbs(ws: WebSocket): Pick<FaultTarget, 'send' | 'terminate' | 'close'> {
  return {
    send: (data, binary) => ws.send(data, { binary: binary === true }),
    terminate: () => ws.terminate(),
    close: (code, reason) => ws.close(code, reason),
  };
}

/** Four bytes that are no UTF-8 text: the binary-frame fault. */
export const BINARY_FAULT_FRAME = Buffer.from([0xde, 0xad, 0xbe, 0xef]);

/**
 * Carry out the faults due (from faultAfter) on one connection, in order. Returns false when the connection
 * stops carrying events (dropped, closed, silent, done): the pump must stop.
 */
export function applyFaults(actions: readonly FaultAction[], settings: CommonMockSettings, target: FaultTarget): boolean {
  for (const action of actions) {
    switch (action) {
      case 'malformed':
        target.send(target.malformed);
        break;
      case 'binary':
        target.send(BINARY_FAULT_FRAME, true);
        break;
      case 'empty':
        target.send('');
        break;
      case 'oversized':
        target.send(target.oversized('x'.repeat(settings.oversizedBytes)));
        break;
      case 'silent':
        target.goSilent();
        return false;
      case 'drop':
        if (settings.downFor) target.goDown?.(settings.downFor);
        target.emit?.('fault', 'drop');
        target.terminate();
        return false;
      case 'close':
        if (settings.downFor) target.goDown?.(settings.downFor);
        target.emit?.('fault', 'close');
        target.close(settings.closeCode, settings.closeReason ?? 'mock fault');
        return false;
      case 'done':
        target.close(1000, target.doneReason ?? 'no more events');
        return false;
      case 'none':
        break;
    }
  }
  return true;
}

/**
 * The --down-for knob for a mock that serves WebSockets from its own HTTP server (not listen()): upgrades are
 * answered 503 while down. Call after the WebSocket server has attached its 'upgrade' listener.
 */
export function downSwitch(server: import('node:http').Server): (ms: number) => void {
  let downUntil = 0;
  const upgrades = server.listeners('upgrade') as ((...args: unknown[]) => void)[];
  server.removeAllListeners('upgrade');
  server.on('upgrade', (req, socket: import('node:stream').Duplex, head) => {
    if (Date.now() < downUntil) {
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    for (const l of upgrades) l.call(server, req, socket, head);
  });
  return (ms) => {
    downUntil = Date.now() + ms;
  };
}

/**
 * Sends events to one client at the configured rate (or as fast as the socket drains), numbering them with
 * a counter shared across connections so a client can check that nothing was lost or repeated.
 */
export class EventPump {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  sent = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly rate: number,
    /** Produce and send the next event; return false to stop. */
    private readonly sendNext: () => boolean,
  ) {}

  start(): void {
    if (this.rate > 0) {
      const interval = Math.max(1, Math.round(1000 / this.rate));
      const tick = () => {
        if (this.stopped) return;
        if (!this.sendNext()) return this.stop();
        this.sent += 1;
        this.timer = setTimeout(tick, interval);
      };
      this.timer = setTimeout(tick, Math.min(interval, 200));
    } else {
      this.flood();
    }
  }

  private flood(): void {
    // As fast as the socket allows: write until ws buffers 1 MiB, then wait for it to drain. Yield to the event
    // loop every batch even when the socket keeps up, or a fast reader would keep this loop running forever
    // and the server could never see the client leave.
    let batch = 0;
    while (!this.stopped) {
      if (this.ws.bufferedAmount > 1024 * 1024) {
        // ws has no public drain event: look again shortly (its private socket is not ours to listen on).
        this.timer = setTimeout(() => this.flood(), 5);
        return;
      }
      if (++batch > 256) {
        setImmediate(() => this.flood());
        return;
      }
      if (!this.sendNext()) return this.stop();
      this.sent += 1;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

/** The Origin or remote address of a request, for logs. */
export function describePeer(req: IncomingMessage): string {
  return `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
}

/** Small deterministic pseudo-random generator, so mock streams are reproducible per seed. */
export function seededRandom(seed = 42): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}
