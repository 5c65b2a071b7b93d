/**
 * The one place durations and sizes become text, for messages, help, --stats and pretty summaries.
 * `formatDuration` is the inverse of config's parseDuration at full precision; messages pass fewer digits.
 */

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * 1500 → "1.5s", 90000 → "1m30s", 250 → "250ms", 3600000 → "1h". `digits`: decimals kept on the seconds
 * (3 = exact, what parseDuration reads back; 1 for status text such as "reconnecting in 1.2s").
 */
export function formatDuration(ms: number, digits = 3): string {
  if (!Number.isFinite(ms)) return ms > 0 ? 'inf' : '-inf';
  if (ms < 0) return '-' + formatDuration(-ms, digits);
  const total = Math.round(ms);
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const restMs = total % 60_000;
  let out = '';
  if (hours) out += `${hours}h`;
  if (minutes) out += `${minutes}m`;
  const seconds = trimZeros((restMs / 1000).toFixed(digits));
  if (seconds !== '0') out += `${seconds}s`;
  return out || '0ms';
}

export interface SizeStyle {
  /** Decimals kept (trailing zeros dropped). Default 2. */
  digits?: number;
  /** Between the number and the unit: '' in option values ("16MiB", what parseSize reads), ' ' in prose ("1.5 KiB"). */
  space?: string;
}

/** 16777216 → "16MiB", 1536 → "1.5KiB", 100 → "100B"; with { space: ' ', digits: 1 }: "1.5 KiB", "0 B". */
export function formatSize(bytes: number, style: SizeStyle = {}): string {
  const { digits = 2, space = '' } = style;
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  const units: [string, number][] = [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ];
  for (const [name, size] of units) {
    if (bytes >= size) return `${trimZeros((bytes / size).toFixed(digits))}${space}${name}`;
  }
  return `${bytes}${space}B`;
}

/** 1234567 → "1,234,567": counts in messages ("1,234 events not delivered", "… and 9,990 more"). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * A list for a message, shortened: the first `max` items, then "… and 9,990 more". A config file with 10,000
 * profiles must not put 69 KB on stderr.
 */
export function formatList(items: readonly string[], max = 10): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')}, … and ${formatCount(items.length - max)} more`;
}
