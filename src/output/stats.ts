/** --stats: one summary on stderr at exit; one JSON line when the format is ndjson. */
import type { Redactor } from '../redact.js';
import { sanitize, sanitizeJson } from './sanitize.js';
import type { SessionStats } from '../session/session.js';
import { formatDuration, formatSize } from '../format.js';

/** Per --forward-to target: events delivered, retries, final failures, the handler's latency. */
export interface ForwardStats {
  target: string;
  delivered: number;
  retried: number;
  failed: number;
  p50Ms?: number;
  p99Ms?: number;
}

/** What --publish counts (NatsPublisher.snapshot()): the summary, the metrics and the publisher share this shape. */
export interface PublishStats {
  published: number;
  duplicates: number;
  resent: number;
  outages: number;
  outageMs: number;
  failed: number;
  pending: number;
}

/** What a sink adds to the summary (--publish: published, duplicates, resent, outages, failed, pending; --forward-to per target). */
export interface SinkStats {
  publish?: PublishStats;
  forward?: ForwardStats[];
}

/** How the run (or one stream) ended, as src/exit.ts says it, and its figures. */
export interface StatsInput {
  code: number;
  reason: string;
  error?: { message: string };
  stats: SessionStats;
}

/** `source`: one stream's line when several run (`evtail: stats [tips]: …`, `"source":"tips"`). */
export function formatStats(result: StatsInput, elapsedMs: number, json: boolean, redactor: Redactor, sinks: SinkStats = {}, source?: string): string {
  const s = result.stats;
  const reason = redactor.redact(result.error?.message ?? result.reason);
  if (json) {
    return sanitizeJson(JSON.stringify({
      evtail: 'stats',
      ...(source === undefined ? {} : { source }),
      eventsSeen: s.eventsSeen,
      eventsPrinted: s.eventsPrinted,
      bytes: s.bytesIn,
      reconnects: s.reconnects,
      connectedMs: s.connectedMs,
      gapMs: s.gapMs,
      elapsedMs,
      exitCode: result.code,
      exitReason: reason,
      ...sinks,
      ...(sinks.forward ? { forward: sinks.forward.map((f) => ({ ...f, target: redactor.redact(f.target), p50Ms: round(f.p50Ms), p99Ms: round(f.p99Ms) })) } : {}),
    }));
  }
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const p = sinks.publish;
  const publish = p
    ? `; published ${p.published} (${p.duplicates} already in the stream), ${p.resent} resent, ${plural(p.outages, 'outage')} (${formatDuration(p.outageMs, 1)}), ${p.failed} not published`
    : '';
  const fwd = (sinks.forward ?? []).map((f) => `; --forward-to ${redactor.redact(f.target)}: ${f.delivered} delivered, ${plural(f.retried, 'retry').replace('retrys', 'retries')}, ${f.failed} failed${f.p50Ms !== undefined ? `, latency p50 ${formatDuration(f.p50Ms, 1)} p99 ${formatDuration(f.p99Ms!, 1)}` : ''}`).join('');
  return sanitize(`evtail: stats${source === undefined ? '' : ` [${source}]`}: ${plural(s.eventsSeen, 'event')} seen, ${s.eventsPrinted} printed, ${formatSize(s.bytesIn, { space: ' ', digits: 1 })}, ${plural(s.reconnects, 'reconnect')}, connected ${formatDuration(s.connectedMs, 1)}, gaps ${formatDuration(s.gapMs, 1)}, ran ${formatDuration(elapsedMs, 1)}${publish}${fwd}; exit ${result.code} (${reason})`);
}

function round(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 10) / 10;
}
