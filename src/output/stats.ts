/** --stats: one summary on stderr at exit; one JSON line when the format is ndjson. */
import type { Redactor } from '../redact.js';
import type { SessionResult } from '../session/session.js';
import { formatMs } from '../session/session.js';

export function formatStats(result: SessionResult, elapsedMs: number, json: boolean, redactor: Redactor): string {
  const s = result.stats;
  const reason = redactor.redact(result.error?.message ?? result.reason);
  if (json) {
    return JSON.stringify({
      evtail: 'stats',
      eventsSeen: s.eventsSeen,
      eventsPrinted: s.eventsPrinted,
      bytes: s.bytesIn,
      reconnects: s.reconnects,
      connectedMs: s.connectedMs,
      gapMs: s.gapMs,
      elapsedMs,
      exitCode: result.code,
      exitReason: reason,
    });
  }
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `evtail: stats: ${plural(s.eventsSeen, 'event')} seen, ${s.eventsPrinted} printed, ${formatBytes(s.bytesIn)}, ${plural(s.reconnects, 'reconnect')}, connected ${formatMs(s.connectedMs)}, gaps ${formatMs(s.gapMs)}, ran ${formatMs(elapsedMs)}; exit ${result.code} (${reason})`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
