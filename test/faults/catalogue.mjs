/**
 * The fault suite's catalogue: which faults are played against which provider's mock, what evtail does about
 * each, what each test asserts, and each provider's close-code table. Plain JavaScript so that
 * scripts/reliability-table.mjs can read it without a build; test/faults/*.test.ts generate their tests from it,
 * and docs/reliability.md's table is printed from it (test/faults/table.test.ts keeps the two equal).
 */

/** @type {readonly import('./catalogue.mjs').ProviderName[]} */
export const PROVIDERS = ['tweetcatcher', 'doshii', 'push', 'push-weni', 'streamelements', 'webinate'];

/** What a close code means to evtail, in words for the table. */
export const OUTCOMES = {
  done: 'exit 0 (the stream ended)',
  retry: 'reconnect with backoff',
  'retry-now': 'reconnect at once',
  'retry-later': 'reconnect after at least 5 s',
  auth: 'exit 3 (refused, never retried)',
  final: 'exit 5 (permanent, never retried)',
};

/** Closes that keep their RFC 6455 meaning (transport/ws-transport.ts defaultCloseOutcome): 1000 ends, 1013 waits, the rest retry. */
const RFC_6455 = [
  { code: 1000, outcome: 'done' },
  { code: 1001, outcome: 'retry' },
  { code: 1008, outcome: 'retry' },
  { code: 1011, outcome: 'retry' },
  { code: 1012, outcome: 'retry' },
  { code: 1013, outcome: 'retry-later' },
  { code: 4000, outcome: 'retry' },
];

/**
 * Each provider's close-code table, as its driver implements it. Tweet Catcher, Doshii and StreamElements publish
 * no close codes, nor does Webinate's socket API: they keep the RFC meanings. Push is SocketCluster
 * (push/driver.ts classifyClose).
 * @type {Record<import('./catalogue.mjs').ProviderName, readonly import('./catalogue.mjs').CloseCase[]>}
 */
export const CLOSE_CODES = {
  tweetcatcher: RFC_6455,
  doshii: RFC_6455,
  push: [
    { code: 1000, outcome: 'done' },
    { code: 1001, outcome: 'retry' },
    { code: 1011, outcome: 'retry' },
    { code: 4000, outcome: 'retry-now' },
    { code: 4001, outcome: 'retry-now' },
    { code: 4003, outcome: 'retry' },
    { code: 4005, outcome: 'retry' },
    { code: 4007, outcome: 'retry' },
    { code: 4008, outcome: 'auth' },
    { code: 4500, outcome: 'final' },
  ],
  'push-weni': RFC_6455,
  streamelements: RFC_6455,
  webinate: RFC_6455,
};

/**
 * The scenarios, each run once per provider (`close` once per code of the provider's table). `file` is the test
 * file that implements it; `fault` and `evtail` are the documentation's words, `asserts` what the test checks.
 * @type {readonly import('./catalogue.mjs').Scenario[]}
 */
export const SCENARIOS = [
  {
    id: 'drop',
    file: 'link.test.ts',
    fault: 'abrupt TCP drop (no close frame), then 1 s of HTTP 503 to every upgrade',
    evtail: 'reconnects with backoff, through the refusals, and goes on',
    asserts: 'events 1..n printed once, in order, across the reconnect; a 503 retried; 2 connections',
  },
  {
    id: 'close',
    file: 'close-codes.test.ts',
    fault: "close with each code of the provider's close-code table",
    evtail: 'per the table: exit 0, reconnect (at once, with backoff, or after 5 s), or exit 3',
    asserts: 'the exit code or the announced reconnection; events before the close printed once, in order, and the rest after it',
  },
  {
    id: 'half-open',
    file: 'link.test.ts',
    fault: 'half-open link: the server goes silent (no events, no heartbeat answers or pings)',
    evtail: 'the watchdog calls the link dead (a heartbeat unanswered at the next, or silence past the timeout), terminates it and reconnects',
    asserts: '"dead link" warning; events 1..n once, in order; 2 connections',
  },
  {
    id: 'restart',
    file: 'link.test.ts',
    fault: 'server restart mid-stream (a new server on the same port)',
    evtail: 'retries through the refused connections, logs in again, goes on',
    asserts: "the old server's events, then the new server's, each once and in order",
  },
  {
    id: 'tls',
    file: 'link.test.ts',
    fault: 'wss:// with a self-signed certificate',
    evtail: 'exit 5 with a clear TLS message, never retried; `--ca <file>` makes it work',
    asserts: 'exit 5, the TLS message, no retry; with --ca: events 1..n',
  },
  {
    id: 'bad-frames',
    file: 'frames.test.ts',
    fault: 'a malformed, a binary and an empty frame',
    evtail: 'a warning on stderr for each; the tail goes on (raw keeps them)',
    asserts: '3 "did not decode" warnings (1 binary frame, 2 not JSON); events 1..n once, in order; 1 connection',
  },
  {
    id: 'oversized',
    file: 'frames.test.ts',
    fault: 'a frame over --max-frame-size (64 KiB here; default 16 MiB)',
    evtail: 'an error naming the limit and the dropped frame (shown even with -q), then a reconnect (close 1009: retry)',
    asserts: 'the error; the only gap is the oversized event; 2 connections',
  },
  {
    id: 'slow-consumer',
    file: 'output.test.ts',
    fault: 'a slow consumer (`| (read < gate; cat)`: it reads nothing until let go) while the server floods',
    evtail: 'stops reading the socket until stdout drains; the watchdog waits too',
    asserts: "while the reader is stalled the server's own writes back up (evtail stopped reading); then all 5000 events delivered, in order, on 1 connection; no dead link",
  },
  {
    id: 'sigint',
    file: 'output.test.ts',
    fault: 'SIGINT mid-stream',
    evtail: 'closes the link, flushes stdout, exit 130',
    asserts: 'exit 130; every line whole JSON; events 1..n, no duplicates, in order',
  },
  {
    id: 'sigterm',
    file: 'output.test.ts',
    fault: 'SIGTERM mid-stream',
    evtail: 'closes the link, flushes stdout, exit 143',
    asserts: 'exit 143; every line whole JSON; events 1..n, no duplicates, in order',
  },
  {
    id: 'epipe',
    file: 'output.test.ts',
    fault: 'EPIPE: the reader goes away (`| head -1`)',
    evtail: 'stops quietly, exit 0',
    asserts: 'exit 0 (pipefail); no error text on stderr',
  },
  {
    id: 'busy-loop',
    file: 'busy-loop.test.ts',
    fault: 'a server that accepts and closes at once, every time',
    evtail: 'retries spaced by the backoff; gives up after --max-retries',
    asserts: 'exit 5 with --max-retries 2; exactly 3 connections, 2 announced retries',
  },
];

/** How many tests a scenario makes for a provider. */
export function countFor(scenario, provider) {
  return scenario.id === 'close' ? CLOSE_CODES[provider].length : 1;
}

/** The markers around the generated table in docs/reliability.md. */
export const TABLE_START = '<!-- reliability-table: generated by scripts/reliability-table.mjs; do not edit by hand -->';
export const TABLE_END = '<!-- /reliability-table -->';
/** The files that carry the table: docs/reliability.md always, README.md when it has the markers. */
export const TABLE_FILES = ['docs/reliability.md', 'README.md'];

const cell = (s) => String(s).replace(/\|/g, '\\|');

/** The markdown that docs/reliability.md carries between its table markers. */
export function renderTables() {
  const out = [];
  out.push(`| fault | what evtail does | the test asserts | ${PROVIDERS.join(' | ')} |`);
  out.push(`|---|---|---|${PROVIDERS.map(() => '---:').join('|')}|`);
  for (const s of SCENARIOS) {
    out.push(`| ${cell(s.fault)} | ${cell(s.evtail)} | ${cell(s.asserts)} | ${PROVIDERS.map((p) => countFor(s, p)).join(' | ')} |`);
  }
  const totals = PROVIDERS.map((p) => SCENARIOS.reduce((n, s) => n + countFor(s, p), 0));
  out.push(`| **scenarios** | | | ${totals.map((t) => `**${t}**`).join(' | ')} |`);
  out.push('');
  out.push('Close codes played by the `close` scenario, and the outcome each test asserts:');
  out.push('');
  out.push(`| close code | ${PROVIDERS.join(' | ')} |`);
  out.push(`|---|${PROVIDERS.map(() => '---').join('|')}|`);
  const codes = [...new Set(PROVIDERS.flatMap((p) => CLOSE_CODES[p].map((c) => c.code)))].sort((a, b) => a - b);
  for (const code of codes) {
    const row = PROVIDERS.map((p) => {
      const c = CLOSE_CODES[p].find((x) => x.code === code);
      return c ? OUTCOMES[c.outcome] : '—';
    });
    out.push(`| ${code} | ${row.map(cell).join(' | ')} |`);
  }
  return out.join('\n') + '\n';
}
