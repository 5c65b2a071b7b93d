/**
 * Wire one tail: options → driver → session → FanOut of sinks (stdout, --record, ...). Owns the signal handlers and
 * the bounded drain at the end: after a signal, sinks get --drain-timeout to deliver what they accepted, a second
 * signal stops the wait at once, and whatever was not delivered is said on stderr.
 */
import { readFile } from 'node:fs/promises';
import type { TailIo } from './io.js';
import { EvtailError, ExitCode, UsageError, isExpectedOutcome, type ExitCodeValue } from './errors.js';
import { proxyAgentFactory } from './transport/proxy.js';
import { colourLevel } from './output/colour.js';
import { createOutput, defaultFormat, type Format } from './output/printer.js';
import { Sink } from './output/sink.js';
import { metaObserver } from './output/meta.js';
import { Recorder } from './output/recorder.js';
import { FanOut, type DrainReport, type EventSink } from './output/fanout.js';
import { formatCount, formatDuration } from './format.js';
import { version } from './version.js';
import { formatStats } from './output/stats.js';
import { StatusReporter } from './output/status.js';
import { buildFilter, buildUntil } from './filter/index.js';
import type { CommonOptions, ProviderModule, ProviderSpec } from './providers/spec.js';
import { Redactor } from './redact.js';
import { Session, type SessionObserver, type SessionResult } from './session/session.js';
import { defaultTransport, type TransportOptions } from './transport/ws-transport.js';
import { systemClock } from './types.js';
import { openPublisher } from './publish/open.js';
import type { ForwardSink } from './forward/forward-sink.js';

export interface TailPlan {
  spec: ProviderSpec;
  module: ProviderModule;
  common: CommonOptions;
  options: Record<string, unknown>;
  secrets: string[];
  /** Extra session observers (record...). */
  observers?: SessionObserver[];
  /** Extra event sinks (--forward-to, --publish): they share stdout's backpressure and the drain at the end. */
  sinks?: EventSink[];
  transport?: Partial<TransportOptions>;
}

/** --drain-timeout's default: how long sinks may take to deliver what they accepted after a signal. */
export const DEFAULT_DRAIN_MS = 2000;

const signalNumbers: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };

export async function runTail(plan: TailPlan, io: TailIo): Promise<number> {
  const { common, module } = plan;
  const startedAt = Date.now();
  // Parse the filter language first: a bad expression is exit 2 before any connection.
  const filter = buildFilter(common);
  const until = buildUntil(common);
  const redactor = new Redactor([...plan.secrets, ...(module.extraSecrets?.(plan.options) ?? [])]);
  const reporter = new StatusReporter({
    quiet: common.quiet,
    verbose: common.verbose,
    stderr: io.stderr,
    redactor,
    // A --stdin chat owns the bottom line (its prompt): status goes above it as plain lines, no spinner.
    spinner: Boolean(io.stderr.isTTY) && !io.env.CI && plan.options.stdin !== true,
    colour: colourLevel(common.color, io.env, Boolean(io.stderr.isTTY)) > 0,
  });
  await reporter.init();
  const format: Format = common.format ?? defaultFormat(Boolean(io.stdout.isTTY));
  const sink = new Sink(io.stdout, { coalesce: true });
  const forward = await forwardSink(common, io, redactor, reporter);
  const stdout = await createOutput(format, sink, {
    summarize: module.summarize,
    colourLevel: colourLevel(common.color, io.env, Boolean(io.stdout.isTTY)),
    width: io.stdout.isTTY ? io.stdout.columns : undefined,
    hideWhere: plan.spec.prettyHidesWhere === true,
    notes: forward,
  });
  const transport: TransportOptions = { ...defaultTransport, maxPayload: common.maxFrameSize, ...(await tlsAndProxy(common, io)), ...plan.transport };
  const driver = module.createDriver({ ...module.parseOptions(plan.options, common), transport, clock: systemClock });
  const publisher = await openPublisher(common, { provider: plan.spec.name, profile: typeof common.profile === 'string' ? common.profile : undefined, redactor, reporter, ca: transport.ca, insecure: common.insecure });
  const observers = [...(plan.observers ?? [])];
  const recordMeta = { url: common.url ?? plan.spec.defaultUrl, version: version(), options: decodingOptions(plan) };
  const recorder = common.record ? await Recorder.open(common.record, plan.spec.name, redactor, recordMeta, (m) => reporter.warn(m)) : undefined;
  if (recorder) observers.push(recorder);
  const output = new FanOut([stdout, ...(recorder ? [recorder] : []), ...(forward ? [forward] : []), ...(plan.sinks ?? []), ...(publisher ? [publisher] : [])], stdout);
  if (common.meta) observers.push(metaObserver(plan.spec.name, output));
  const session = new Session({
    driver,
    output,
    reporter,
    clock: systemClock,
    reconnect: common.reconnect,
    maxRetries: common.maxRetries,
    retryWindowMs: common.retryWindow,
    maxEvents: common.maxEvents,
    timeoutMs: common.timeout,
    durationMs: common.duration,
    filter,
    until,
    idleTimeoutMs: common.idleTimeout,
    observers,
    wantFrames: common.verbose || observers.some((o) => o.frame),
  });

  const drainMs = common.drainTimeout ?? DEFAULT_DRAIN_MS;
  let signalled: { sig: string; at: number } | undefined;
  let secondSignal: string | undefined;
  let draining = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (!signalled) {
      signalled = { sig, at: Date.now() };
      // Stop reading; or, if the run had ended and sinks are still delivering, bound that wait.
      if (draining) output.cut(signalled.at + drainMs);
      else session.stop(128 + (signalNumbers[sig] ?? 0), `stopped by ${sig}`);
      return;
    }
    // A second signal: the user will not wait any longer.
    secondSignal ??= sig;
    output.cut(Date.now());
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  // Credentials refused on a reconnect of --publish: the run stops with exit 3.
  publisher?.onFatal((err) => session.stop(err.exitCode, err.message, err));
  sink.whenBroken((error) => {
    if (!error) return session.stop(ExitCode.ok, 'stdout was closed');
    session.stop(ExitCode.internal, 'writing stdout failed', new EvtailError(`cannot write to stdout: ${error.message}`, ExitCode.internal));
  });

  let result: SessionResult;
  let undelivered: DrainReport[];
  try {
    result = await session.run();
    reporter.stop();
    // After a signal, sinks get --drain-timeout; after a normal end they deliver everything (a signal then bounds it).
    draining = true;
    undelivered = (await output.drain(signalled ? signalled.at + drainMs : Infinity)).filter((r) => r.undelivered > 0);
    await output.close();
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
  // The terminal echoed "^C" where the cursor was: what follows (stats, an error) starts on a line of its own.
  if (signalled?.sig === 'SIGINT' && io.stderr.isTTY) io.stderr.write('\n');
  if (recorder?.error) reporter.warn(`--record: writing ${common.record} failed: ${recorder.error.message}`);
  // Events a sink (--forward-to, --publish) finally gave up on: the run did not do all it was asked (and --stats says so).
  const failed = output.failures();
  if (failed > 0 && result.code === ExitCode.ok) {
    const message = `${formatCount(failed)} event${failed === 1 ? '' : 's'} could not be delivered to ${output.names.slice(1).join(', ') || 'a sink'}`;
    const hint = forward ? 'the errors above say why; --forward-dead-letter <file> keeps such events for `evtail replay <file> --forward-to …`' : undefined;
    result = { ...result, code: ExitCode.undelivered, reason: message, error: new EvtailError(message, ExitCode.undelivered, hint) };
  }
  report(result, reporter, common);
  if (undelivered.length) reporter.error(undeliveredText(undelivered, recorder?.name, secondSignal ?? (signalled ? `the ${formatDuration(drainMs, 1)} of --drain-timeout` : undefined)));
  if (common.stats) io.stderr.write(formatStats(result, Date.now() - startedAt, format === 'ndjson', redactor, { ...(publisher ? { publish: publisher.snapshot() } : {}), ...(forward ? { forward: forward.stats() } : {}) }) + '\n');
  // A signal while sinks were still delivering after the run ended: the output is not complete, and the code says so.
  if (signalled && result.code < 128 && undelivered.length) return 128 + (signalNumbers[signalled.sig] ?? 0);
  return result.code;
}

/** "1,234 events not delivered to stdout; 12 frames not written to --record x: it did not take them within 2s (--drain-timeout)" */
function undeliveredText(reports: DrainReport[], recordName: string | undefined, cutBy: string | undefined): string {
  const parts = reports.map((r) => {
    const n = formatCount(r.undelivered);
    if (r.sink === recordName) return `${n} recorded frame${r.undelivered === 1 ? '' : 's'} not written to ${r.sink}`;
    return `${n} event${r.undelivered === 1 ? '' : 's'} not delivered to ${r.sink}`;
  });
  const why = cutBy === undefined ? '' : /^SIG/.test(cutBy) ? `: stopped waiting at the second ${cutBy}` : `: not taken within ${cutBy}`;
  return `${parts.join('; ')}${why}`;
}

/** The provider's options a recording keeps for replay (e.g. --type-path): the ones that shape decoding, if set. */
function decodingOptions(plan: TailPlan): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const key of plan.spec.decodingOptions ?? []) {
    const secret = plan.spec.options.find((o) => o.key === key)?.secret;
    if (plan.options[key] !== undefined && !secret) out[key] = plan.options[key];
  }
  return Object.keys(out).length ? out : undefined;
}

async function tlsAndProxy(common: CommonOptions, io: TailIo): Promise<Partial<TransportOptions>> {
  const out: Partial<TransportOptions> = {};
  if (common.ca) {
    try {
      out.ca = await readFile(common.ca);
    } catch (err) {
      throw new UsageError(`--ca: cannot read ${common.ca} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (common.insecure) {
    out.insecure = true;
    io.stderr.write('evtail: warning: --insecure: TLS certificates are not verified; anyone on the network path can read and change this stream\n');
  }
  if (common.proxy && !/^https?:\/\//.test(common.proxy)) throw new UsageError(`--proxy: expected an http:// or https:// URL, got "${common.proxy}"`);
  out.agentFor = await proxyAgentFactory(io.env, common.proxy);
  return out;
}

/** --forward-to: a sink of the FanOut (loaded only when asked for: undici is not small). */
async function forwardSink(common: CommonOptions, io: TailIo, redactor: Redactor, reporter: StatusReporter): Promise<ForwardSink | undefined> {
  if (!Array.isArray(common.forwardTo) || common.forwardTo.length === 0) return undefined;
  const { createForwardSink } = await import('./forward/setup.js');
  const forwardReporter = { error: (m: string) => reporter.error(m), warn: (m: string) => reporter.warn(m), debug: (m: string) => reporter.debug(m) };
  return createForwardSink({ common, env: io.env, redactor, reporter: forwardReporter, userAgent: `evtail/${version()}`, warn: (m) => reporter.warn(m) });
}

function report(result: SessionResult, reporter: StatusReporter, common: CommonOptions): void {
  const err: EvtailError | undefined = result.error;
  if (err && result.code !== ExitCode.ok) {
    // -q: the exit code already says "timed out" or "went quiet"; a cron job that reads it needs no mail.
    if (common.quiet && isExpectedOutcome(result.code)) return;
    // -q: one line per error that needs action; the hint is for a person reading along.
    reporter.error(err.message, common.quiet ? undefined : err.hint);
    return;
  }
  if (common.verbose) reporter.debug(`done: ${result.reason}`);
}

export type { ExitCodeValue };
