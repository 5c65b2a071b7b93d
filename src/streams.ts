/**
 * What a run of several streams adds to one stream's: the policy when one stream fails (end the run naming it, or
 * --keep-going), each stream's name on its events and status lines, and the --metrics reporters. The limits (-n,
 * --timeout…) are the run's RunLimits, shared by every session.
 */
import { endError, endText, exitCode, type EndReason } from './exit.js';
import type { ForwardFigures, PublishFigures, StreamMetrics } from './output/metrics.js';
import type { Reporter } from './output/session-status.js';
import type { StatusReporter } from './output/status.js';
import type { CommonOptions } from './providers/spec.js';
import type { EventOutput, SessionObserver, SessionResult, SessionStats } from './session/session.js';

/**
 * The policy of a run of several streams: a stream that fails for good ends the run naming it (or, with
 * --keep-going, is reported and the others go on); the run ends when a limit says so (the shared RunLimits) or when
 * every stream has ended.
 */
export class MergedStreams {
  ending: EndReason | undefined;
  /** The failure that decided the exit code was already reported (--keep-going reports each when it happens). */
  reported = false;
  private ended = 0;
  private firstFailure: EndReason | undefined;
  private endCallback: (() => void) | undefined;

  constructor(
    private readonly run: CommonOptions,
    private readonly streams: number,
  ) {}

  onEnd(cb: () => void): void {
    this.endCallback = cb;
  }

  end(end: EndReason): void {
    if (this.ending) return;
    this.ending = end;
    this.endCallback?.();
  }

  /** One stream's session is over. A failure ends the run naming the stream, or is reported with --keep-going. */
  streamEnded(source: string, r: SessionResult, reporter: StatusReporter): SessionResult {
    this.ended += 1;
    const failed = !this.ending && exitCode(r.end) !== 0;
    if (failed) {
      const failure: EndReason = { kind: 'stream-failed', source, end: r.end };
      this.firstFailure ??= failure;
      if (!this.run.keepGoing) {
        this.end(failure);
        return r;
      }
      reporter.error(`${endText(failure)}; the other streams go on (--keep-going)`, this.run.quiet ? undefined : endError(r.end)?.hint);
    }
    if (this.ended === this.streams) this.end({ kind: 'all-ended' });
    return r;
  }

  /** The run's result: how it ended, every stream's figures added up; --keep-going still says a stream failed. */
  result(results: SessionResult[]): SessionResult {
    const stats = results.reduce<SessionStats>(
      (sum, r) => {
        for (const k of Object.keys(sum) as (keyof SessionStats)[]) sum[k] += r.stats[k];
        return sum;
      },
      { eventsSeen: 0, eventsPrinted: 0, bytesIn: 0, reconnects: 0, connectedMs: 0, gapMs: 0, attempts: 0 },
    );
    const end: EndReason = this.ending ?? { kind: 'all-ended' };
    if (exitCode(end) === 0 && this.firstFailure) {
      this.reported = true;
      return { end: this.firstFailure, stats };
    }
    return { end, stats };
  }
}

/** One stream's way into the shared output: its name on each event (`source`), and its count for --metrics. */
export function streamOutputOf(out: EventOutput, source: string | undefined, metrics?: StreamMetrics): EventOutput {
  return {
    write: (ev) => {
      if (source !== undefined) ev.source = source;
      metrics?.event(ev.type);
      return out.write(ev);
    },
    undecodable: (frame) => out.undecodable(frame),
    onDrain: (cb) => out.onDrain(cb),
  };
}

/** One stream's status lines, named: `evtail: [tips] connecting`. */
export function prefixed(r: StatusReporter, source: string): Reporter {
  const p = `[${source}] `;
  return {
    status: (m) => r.status(p + m),
    ready: (m) => r.ready(p + m),
    warn: (m) => r.warn(p + m),
    error: (m) => r.error(p + m),
    debug: (m) => r.debug(p + m),
    frame: (dir, text) => r.frame(dir, p + text),
    secret: (v) => r.secret(v),
    redact: (t) => r.redact(t),
  };
}

export function metricsObserver(m: StreamMetrics): SessionObserver {
  return {
    connected: () => m.connected(),
    disconnected: () => m.disconnected(),
    reconnecting: ({ reason }) => m.reconnecting(reason),
    frame: (dir, text, _at, bytes) => {
      if (dir === 'in') m.bytes(bytes ? bytes.length : Buffer.byteLength(text));
    },
  };
}

/** --metrics <host:port>: the registry and its server, for the length of the run. */
export async function startMetrics(listen: string, reporter: StatusReporter) {
  // prom-client only for runs that ask for metrics.
  const { Metrics, parseListen, serveMetrics } = await import('./output/metrics.js');
  const metrics = new Metrics();
  const served = await serveMetrics(metrics, parseListen(listen));
  reporter.status(`metrics at ${served.url}`);
  const streams = new Map<string, StreamMetrics>();
  return {
    metrics: {
      forwarding: (figures: () => ForwardFigures[]) => metrics.forwarding(figures),
      publishing: (figures: () => PublishFigures) => metrics.publishing(figures),
      stream(source: string, provider: string): StreamMetrics {
        const s = metrics.stream(source, provider);
        streams.set(source, s);
        return s;
      },
    },
    /** Each stream's end: failed (its own error, not the run's end) or finished. */
    streamsEnded(plans: { source: string }[], results: SessionResult[], ending: EndReason | undefined): void {
      plans.forEach((p, i) => {
        const end = results[i]!.end;
        streams.get(p.source)?.ended(end !== ending && end.kind !== 'signal' && exitCode(end) !== 0);
      });
    },
    close: () => served.close(),
  };
}
