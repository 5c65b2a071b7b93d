/**
 * --metrics <host:port>: the Prometheus text format at /metrics and a health check at /healthz, for a tail that runs
 * for weeks under systemd. prom-client writes the exposition format (escaping, HELP/TYPE lines, content type) so
 * evtail does not have to.
 *
 * Labels come from the network (event types), so their number is bounded: past MAX_TYPES distinct types per source
 * the rest count under type="other", and a label value is cut to MAX_LABEL characters. Reconnect reasons are free
 * text, so they are folded into a handful of kinds.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import { UsageError } from '../errors.js';
import type { ForwardStats, PublishStats } from './stats.js';

const MAX_TYPES = 200;
const MAX_LABEL = 120;

/** What the forwarder counts per target (the figures --stats shows too). */
export type ForwardFigures = Pick<ForwardStats, 'target' | 'delivered' | 'retried' | 'failed'>;

/** What --publish counts. */
export type PublishFigures = PublishStats;

export type StreamState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'finished';

/** What one stream reports to the metrics. */
export interface StreamMetrics {
  event(type: string): void;
  bytes(n: number): void;
  connected(): void;
  disconnected(): void;
  reconnecting(reason: string): void;
  /** The stream is over: failed (its retry budget is spent, a fatal error) or finished normally. */
  ended(failed: boolean): void;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly events: Counter<'source' | 'provider' | 'type'>;
  private readonly bytesIn: Counter<'source' | 'provider'>;
  private readonly up: Gauge<'source' | 'provider'>;
  private readonly reconnects: Counter<'source' | 'provider' | 'reason'>;
  private readonly gapSeconds: Counter<'source' | 'provider'>;
  private readonly lastEvent: Gauge<'source' | 'provider'>;
  private readonly states = new Map<string, StreamState>();

  constructor() {
    const registers = [this.registry];
    this.events = new Counter({ name: 'evtail_events_total', help: 'Events received that passed the filters, by source, provider and event type.', labelNames: ['source', 'provider', 'type'], registers });
    this.bytesIn = new Counter({ name: 'evtail_received_bytes_total', help: 'Bytes of frames received, by source.', labelNames: ['source', 'provider'], registers });
    this.up = new Gauge({ name: 'evtail_connected', help: '1 while the stream is connected and ready, else 0.', labelNames: ['source', 'provider'], registers });
    this.reconnects = new Counter({ name: 'evtail_reconnects_total', help: 'Reconnections, by source and kind of reason.', labelNames: ['source', 'provider', 'reason'], registers });
    this.gapSeconds = new Counter({ name: 'evtail_gap_seconds_total', help: 'Seconds spent disconnected after the first connection (where events may be missing).', labelNames: ['source', 'provider'], registers });
    this.lastEvent = new Gauge({ name: 'evtail_last_event_timestamp_seconds', help: 'Unix time of the last event received, by source.', labelNames: ['source', 'provider'], registers });
    const metrics = this;
    this.publishMetrics(registers);
    new Counter({
      name: 'evtail_forward_total',
      help: 'Webhook deliveries (--forward-to), by target and outcome (delivered, retried, failed).',
      labelNames: ['target', 'outcome'],
      registers,
      // Read from the forwarder at scrape time: it keeps the figures, the metrics only show them.
      collect() {
        const figures = metrics.forwardFigures?.();
        if (!figures) return;
        this.reset();
        for (const f of figures) {
          const target = label(f.target);
          this.inc({ target, outcome: 'delivered' }, f.delivered);
          this.inc({ target, outcome: 'retried' }, f.retried);
          this.inc({ target, outcome: 'failed' }, f.failed);
        }
      },
    });
  }

  private publishFigures: (() => PublishFigures) | undefined;

  /** --publish's figures, read at each scrape. */
  publishing(figures: () => PublishFigures): void {
    this.publishFigures = figures;
  }

  /** Outcomes of --publish, and what it holds unacknowledged: read from the publisher at scrape time. */
  private publishMetrics(registers: Registry[]): void {
    const read = () => this.publishFigures?.();
    new Counter({
      name: 'evtail_publish_total',
      help: 'Events published to JetStream (--publish), by outcome: published, duplicate (already in the stream), resent, failed.',
      labelNames: ['outcome'],
      registers,
      collect() {
        const f = read();
        if (!f) return;
        this.reset();
        this.inc({ outcome: 'published' }, f.published);
        this.inc({ outcome: 'duplicate' }, f.duplicates);
        this.inc({ outcome: 'resent' }, f.resent);
        this.inc({ outcome: 'failed' }, f.failed);
      },
    });
    new Counter({
      name: 'evtail_publish_outages_total',
      help: 'Times the NATS server of --publish failed (down, restarting, refusing); the socket was paused meanwhile.',
      registers,
      collect() {
        const f = read();
        if (!f) return;
        this.reset();
        this.inc(f.outages);
      },
    });
    new Gauge({
      name: 'evtail_publish_pending',
      help: 'Events accepted for --publish and not yet acknowledged by JetStream.',
      registers,
      collect() {
        const f = read();
        if (f) this.set(f.pending);
      },
    });
  }

  /** One stream's reporter. `source` is the profile name (or the provider when a single stream runs). */
  stream(source: string, provider: string): StreamMetrics {
    const base = { source: label(source), provider: label(provider) };
    const types = new Set<string>();
    let gapStart: number | undefined;
    const metrics = this;
    this.states.set(source, 'connecting');
    this.up.set(base, 0);
    const endGap = () => {
      if (gapStart === undefined) return;
      this.gapSeconds.inc(base, (Date.now() - gapStart) / 1000);
      gapStart = undefined;
    };
    return {
      event(type) {
        let t = label(type);
        if (!types.has(t)) {
          if (types.size >= MAX_TYPES) t = 'other';
          else types.add(t);
        }
        metrics.events.inc({ ...base, type: t });
        metrics.lastEvent.set(base, Date.now() / 1000);
      },
      bytes(n) {
        metrics.bytesIn.inc(base, n);
      },
      connected() {
        endGap();
        metrics.states.set(source, 'connected');
        metrics.up.set(base, 1);
      },
      disconnected() {
        if (gapStart === undefined) gapStart = Date.now();
        metrics.up.set(base, 0);
      },
      reconnecting(reason) {
        metrics.states.set(source, 'reconnecting');
        metrics.reconnects.inc({ ...base, reason: reasonKind(reason) });
      },
      ended(failed) {
        endGap();
        metrics.states.set(source, failed ? 'failed' : 'finished');
        metrics.up.set(base, 0);
      },
    };
  }

  private forwardFigures: (() => ForwardFigures[]) | undefined;

  /** --forward-to's figures (per target), read at each scrape. */
  forwarding(figures: () => ForwardFigures[]): void {
    this.forwardFigures = figures;
  }

  /** Healthy while no stream has failed: each is connected, or reconnecting within its retry budget. */
  health(): { ok: boolean; streams: Record<string, StreamState> } {
    const streams = Object.fromEntries(this.states);
    return { ok: ![...this.states.values()].includes('failed'), streams };
  }
}

/** Free-text reasons folded into a few kinds, so the label set stays small. */
export function reasonKind(reason: string): string {
  const r = reason.toLowerCase();
  if (r.includes('dead link') || r.includes('heartbeat') || r.includes('silent') || r.includes('no ping') || r.includes('pong')) return 'dead_link';
  if (r.includes('timed out') || r.includes('timeout') || r.includes('deadline')) return 'timeout';
  if (/\bhttp \d{3}\b|unexpected server response|\b(429|5\d\d)\b/.test(r)) return 'refused';
  if (/\bclose(d)?\b|\b1\d{3}\b|\b4\d{3}\b/.test(r)) return 'closed';
  if (r.includes('econnrefused') || r.includes('econnreset') || r.includes('enotfound') || r.includes('socket') || r.includes('tls')) return 'network';
  return 'other';
}

function label(value: string): string {
  return value.length > MAX_LABEL ? value.slice(0, MAX_LABEL) : value;
}

/** `9464`, `:9464`, `host:9464`, `[::1]:9464` → where to listen (loopback unless a host is given). */
export function parseListen(value: string): { host: string; port: number } {
  const v = value.trim();
  const colon = v.lastIndexOf(':');
  let host = colon < 0 ? '' : v.slice(0, colon);
  const portText = colon < 0 ? v : v.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port <= 65535) || /[\s[\]/]/.test(host)) {
    throw new UsageError(`--metrics: expected <host:port> or <port>, got "${value}"`, 'e.g. --metrics 127.0.0.1:9464 (loopback is the default host)');
  }
  return { host: host || '127.0.0.1', port };
}

/** Serve /metrics and /healthz. Resolves once listening; a taken port is a usage error naming it. */
export async function serveMetrics(metrics: Metrics, listen: { host: string; port: number }): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    if (path === '/healthz') {
      const h = metrics.health();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h) + '\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('evtail: try /metrics or /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${listen.host}:${listen.port}`;
      if (err.code === 'EADDRINUSE') reject(new UsageError(`--metrics: ${where} is already in use`, 'pick another port, or --metrics 127.0.0.1:0 for any free one'));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EACCES') reject(new UsageError(`--metrics: cannot listen on ${where} (${err.code})`));
      else reject(err);
    });
    server.listen(listen.port, listen.host, () => resolve());
  });
  server.unref();
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    server,
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
