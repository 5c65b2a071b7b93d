/**
 * Wire one tail: options → driver → session → FanOut of sinks (stdout, --record, ...). Owns the signal handlers and
 * the bounded drain at the end: after a signal, sinks get --drain-timeout to deliver what they accepted, a second
 * signal stops the wait at once, and whatever was not delivered is said on stderr.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TailIo } from './io.js';
import type { PromptArea } from './output/prompt-line.js';
import type { LineInput } from './types.js';
import { UsageError, isExpectedOutcome } from './errors.js';
import { exitCode, outcome, signalExitCode, type EndReason, type Outcome } from './exit.js';
import { checkProxyUrl, proxyAgentFactory } from './transport/proxy.js';
import { colourLevel } from './output/colour.js';
import { createOutput, defaultFormat, type Format } from './output/printer.js';
import { Sink } from './output/sink.js';
import { FanOut, type DrainReport, type EventSink } from './output/fanout.js';
import { formatCount, formatDuration } from './format.js';
import { version } from './version.js';
import { StatusReporter } from './output/status.js';
import { statusObserver } from './output/session-status.js';
import type { CommonOptions, ProviderModule, ProviderSpec } from './providers/spec.js';
import { Redactor, urlCredentials } from './redact.js';
import { Session, type SessionObserver, type SessionResult } from './session/session.js';
import { defaultTransport, type TransportOptions } from './transport/ws-transport.js';
import { systemClock } from './types.js';
import { RunLimits } from './session/limits.js';
import type { ForwardSink } from './forward/forward-sink.js';
import type { MergedStreams } from './streams.js';

/** One stream of a run: a plan and the name it goes by (the profile), the envelope's `source`. */
export interface StreamPlan extends TailPlan {
  source: string;
}

export interface TailPlan {
  spec: ProviderSpec;
  module: ProviderModule;
  common: CommonOptions;
  options: Record<string, unknown>;
  secrets: string[];
  /** The name the stream goes by (its profile; default the provider), the envelope's `source` with --source. */
  source?: string;
  /** Extra session observers (record...). */
  observers?: SessionObserver[];
  /** Extra event sinks (--forward-to, --publish): they share stdout's backpressure and the drain at the end. */
  sinks?: EventSink[];
  transport?: Partial<TransportOptions>;
}

/** --drain-timeout's default: how long sinks may take to deliver what they accepted after a signal. */
export const DEFAULT_DRAIN_MS = 2000;

/**
 * One stream, or several at once (`evtail -p a -p b`): each plan gets its own transport, driver and session; all
 * write to one FanOut, so stdout's backpressure pauses every stream. `run` holds the run-wide options (format,
 * filters, limits, sinks); a single stream's are its own.
 */
export async function runTail(plan: TailPlan | StreamPlan[], io: TailIo, run: CommonOptions = Array.isArray(plan) ? plan[0]!.common : plan.common): Promise<number> {
  const plans: StreamPlan[] = Array.isArray(plan) ? plan : [{ ...plan, source: plan.source ?? plan.spec.name }];
  // A --stdin chat at a terminal: a prompt on the bottom line, and evtail's writers write above it (nothing patched).
  const chat = await chatPrompt(plans, io);
  // --stdin's source for the drivers, opened on first use (io.stdin may be a getter that creates process.stdin).
  const given = io;
  // Where the relative file paths of the options start (--record, --ca, --publish-creds, --forward-dead-letter…).
  const cwd = io.cwd ?? process.cwd();
  const stdinOf = 'stdin' in given ? () => given.stdin! : undefined;
  if (chat) io = { env: io.env, signals: io.signals, stdout: chat.area.writer(io.stdout), stderr: chat.area.writer(io.stderr) };
  const single = plans.length === 1 ? plans[0]! : undefined;
  const startedAt = Date.now();
  // Parse the filter language first: a bad expression is exit 2 before any connection.
  // What a plain tail does not use is loaded only when asked for (time to first event): filters, --record,
  // --publish, --meta, --stats, several streams and --metrics.
  const filters = run.type?.length || run.match?.length || run.until?.length ? await import('./filter/index.js') : undefined;
  const filter = filters?.buildFilter(run);
  const until = filters?.buildUntil(run);
  if (run.record && !single) throw new UsageError('--record keeps one stream: record each profile in its own run', `e.g. evtail -p ${plans[0]!.source} --record ${run.record}`);
  // Proxy and URL credentials (userinfo) are secrets too, in every form (the password, the Basic credential).
  const proxies = ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY'].flatMap((n) => [io.env[n], io.env[n.toLowerCase()]]);
  const urls = [...proxies, ...plans.flatMap((p) => [p.common.url, p.common.proxy])];
  const redactor = new Redactor([...plans.flatMap((p) => [...p.secrets, ...(p.module.extraSecrets?.(p.options) ?? [])]), ...urls.flatMap(urlCredentials)]);
  const reporter = new StatusReporter({
    quiet: run.quiet,
    verbose: run.verbose,
    stderr: io.stderr,
    redactor,
    // One spinner line cannot show several streams' states; a --stdin chat owns the bottom line (its prompt).
    spinner: Boolean(single) && Boolean(io.stderr.isTTY) && !io.env.CI && single?.options.stdin !== true,
    colour: colourLevel(run.color, io.env, Boolean(io.stderr.isTTY)) > 0,
  });
  await reporter.init();
  const format: Format = run.format ?? defaultFormat(Boolean(io.stdout.isTTY));
  const sink = new Sink(io.stdout, { coalesce: true });
  const forward = await forwardSink(run, io, cwd, redactor, reporter);
  const summarizers = new Map(plans.map((p) => [p.spec.name, p.module.summarize]));
  const stdout = await createOutput(format, sink, {
    summarize: single ? single.module.summarize : (ev) => summarizers.get(ev.provider)?.(ev) ?? '',
    colourLevel: colourLevel(run.color, io.env, Boolean(io.stdout.isTTY)),
    width: io.stdout.isTTY ? io.stdout.columns : undefined,
    hideWhere: plans.every((p) => p.spec.prettyHidesWhere === true),
    notes: forward,
    terminal: Boolean(io.stdout.isTTY),
  });
  const recorder = single && run.record ? await (await import('./output/recorder.js')).Recorder.open(run.record, single.spec.name, redactor, { url: single.common.url ?? single.spec.defaultUrl, version: version(), options: decodingOptions(single) }, (m) => reporter.warn(m), cwd) : undefined;
  const transports: TransportOptions[] = [];
  for (const p of plans) transports.push({ ...defaultTransport, maxPayload: p.common.maxFrameSize, handshakeTimeoutMs: p.common.connectTimeout ?? defaultTransport.handshakeTimeoutMs, ...(await tlsAndProxy(p.common, io, cwd)), ...p.transport });
  const publisher = typeof run.publish === 'string' && run.publish !== '' ? await (await import('./publish/open.js')).openPublisher(run, { cwd, provider: plans[0]!.spec.name, profile: single ? (typeof run.profile === 'string' ? run.profile : undefined) : undefined, redactor, reporter, ca: transports[0]!.ca, insecure: run.insecure }) : undefined;
  const output = new FanOut([stdout, ...(recorder ? [recorder] : []), ...(forward ? [forward] : []), ...plans.flatMap((p) => p.sinks ?? []), ...(publisher ? [publisher] : [])], stdout);
  const stamp = !single || run.source === true;
  const streams = stamp || run.metrics !== undefined ? await import('./streams.js') : undefined;
  const metrics = run.metrics !== undefined ? await streams!.startMetrics(run.metrics, reporter) : undefined;
  if (metrics && forward) metrics.metrics.forwarding(() => forward.stats());
  if (metrics && publisher) metrics.metrics.publishing(() => publisher.snapshot());
  // -n, --until, --timeout, --duration, --idle-timeout: one set of limits for the run, shared by every stream.
  const limits = new RunLimits(systemClock, { maxEvents: run.maxEvents, timeoutMs: run.timeout, durationMs: run.duration, idleTimeoutMs: run.idleTimeout, until, scope: single ? '' : ' on any stream' });
  const merged: MergedStreams | undefined = single ? undefined : new streams!.MergedStreams(run, plans.length);
  // A limit reached ends the merged run first, so the sessions' ends that follow are not taken for failures.
  if (merged) limits.onEnd((end) => merged.end(end));
  const meta = run.meta ? await import('./output/meta.js') : undefined;
  const sessions: Session[] = [];
  for (const [i, p] of plans.entries()) {
    const transport = transports[i]!;
    const streamMetrics = metrics?.metrics.stream(p.source, p.spec.name);
    const streamOutput = stamp || streamMetrics ? streams!.streamOutputOf(output, stamp ? p.source : undefined, streamMetrics) : output;
    // The status lines (connecting, reconnecting in …, -v's frames) are an observer: the session writes no text.
    const observers = [statusObserver(single ? reporter : streams!.prefixed(reporter, p.source), { frames: run.verbose }), ...(p.observers ?? [])];
    if (recorder) observers.push(recorder);
    if (streamMetrics) observers.push(streams!.metricsObserver(streamMetrics));
    if (meta) observers.push(meta.metaObserver(p.spec.name, stamp ? streams!.streamOutputOf(output, p.source) : output, (t) => redactor.redact(t)));
    sessions.push(
      new Session({
        driver: p.module.createDriver({ ...p.module.parseOptions(p.options, p.common), transport, clock: systemClock, lines: p.options.stdin === true ? chat?.lines : undefined, stdin: stdinOf }),
        output: streamOutput,
        secret: (v) => reporter.secret(v),
        clock: systemClock,
        reconnect: p.common.reconnect,
        maxRetries: p.common.maxRetries,
        retryWindowMs: p.common.retryWindow,
        connectTimeoutMs: p.common.connectTimeout,
        filter,
        limits,
        observers,
      }),
    );
  }
  const stopAll = (end: EndReason) => {
    merged?.end(end);
    for (const s of sessions) s.stop(end);
  };
  // The merged stream ended (a limit, a failed stream): every session stops with its reason.
  merged?.onEnd(() => {
    for (const s of sessions) s.stop(merged.ending!);
  });

  const drainMs = run.drainTimeout ?? DEFAULT_DRAIN_MS;
  let signalled: { sig: string; at: number } | undefined;
  let secondSignal: string | undefined;
  let draining = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (!signalled) {
      signalled = { sig, at: Date.now() };
      // Stop reading; or, if the run had ended and sinks are still delivering, bound that wait.
      if (draining) output.cut(signalled.at + drainMs);
      else stopAll({ kind: 'signal', signal: sig });
      return;
    }
    // A second signal: the user will not wait any longer.
    secondSignal ??= sig;
    output.cut(Date.now());
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const signalSource = io.signals ?? process;
  for (const s of signals) signalSource.on(s, onSignal);
  // Credentials refused on a reconnect of --publish: the run stops with exit 3.
  publisher?.onFatal((error) => stopAll({ kind: 'fatal', error }));
  sink.whenBroken((error) => {
    if (!error) return stopAll({ kind: 'stopped', by: 'stdout-closed' });
    stopAll({ kind: 'internal', message: `cannot write to stdout: ${error.message}` });
  });

  let result: SessionResult;
  let results: SessionResult[];
  let undelivered: DrainReport[];
  try {
    results = await Promise.all(sessions.map((s, i) => s.run().then((r) => (merged ? merged.streamEnded(plans[i]!.source, r, reporter) : r))));
    metrics?.streamsEnded(plans, results, merged?.ending);
    result = merged ? merged.result(results) : results[0]!;
    reporter.stop();
    // After a signal, sinks get --drain-timeout; after a normal end they deliver everything (a signal then bounds it).
    draining = true;
    undelivered = (await output.drain(signalled ? signalled.at + drainMs : Infinity)).filter((r) => r.undelivered > 0);
    await output.close();
  } finally {
    limits.stop();
    for (const s of signals) signalSource.off(s, onSignal);
    await metrics?.close();
  }
  // The terminal echoed "^C" where the cursor was: what follows (stats, an error) starts on a line of its own.
  if (signalled?.sig === 'SIGINT' && io.stderr.isTTY) io.stderr.write('\n');
  if (recorder?.error) reporter.warn(`--record: writing ${run.record} failed: ${recorder.error.message}`);
  // Events a sink (--forward-to, --publish) finally gave up on: the run did not do all it was asked (and --stats says so).
  const failed = output.failures();
  if (failed > 0 && exitCode(result.end) === 0) {
    const message = `${formatCount(failed)} event${failed === 1 ? '' : 's'} could not be delivered to ${output.names.slice(1).join(', ') || 'a sink'}`;
    result = { ...result, end: { kind: 'undelivered', message, hint: forward ? forward.retryHint() : undefined } };
  }
  // The one place the end becomes the exit code (src/exit.ts).
  const end = outcome(result.end);
  if (!merged?.reported) report(end, reporter, run);
  if (undelivered.length) reporter.error(undeliveredText(undelivered, recorder?.name, secondSignal ?? (signalled ? `the ${formatDuration(drainMs, 1)} of --drain-timeout` : undefined)));
  if (run.stats) {
    const { formatStats } = await import('./output/stats.js');
    const json = format === 'ndjson';
    if (!single) plans.forEach((p, i) => io.stderr.write(formatStats({ ...outcome(results[i]!.end), stats: results[i]!.stats }, Date.now() - startedAt, json, redactor, {}, p.source) + '\n'));
    io.stderr.write(formatStats({ ...end, stats: result.stats }, Date.now() - startedAt, json, redactor, { ...(publisher ? { publish: publisher.snapshot() } : {}), ...(forward ? { forward: forward.stats() } : {}) }) + '\n');
  }
  // A signal while sinks were still delivering after the run ended: the output is not complete, and the code says so.
  if (signalled && end.code < 128 && undelivered.length) return signalExitCode(signalled.sig);
  return end.code;
}

/** A --stdin chat whose stdin and stderr are terminals: the prompt's area and the lines typed at it. */
async function chatPrompt(plans: StreamPlan[], io: TailIo): Promise<{ area: PromptArea; lines: LineInput } | undefined> {
  if (!plans.some((p) => p.options.stdin === true) || !io.stderr.isTTY) return undefined;
  const stdin = io.stdin;
  if (!stdin?.isTTY) return undefined;
  const { PromptArea } = await import('./output/prompt-line.js');
  const area = new PromptArea(io.stderr as NodeJS.WriteStream);
  return { area, lines: area.lines(stdin) };
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
export function decodingOptions(plan: TailPlan): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const key of plan.spec.decodingOptions ?? []) {
    const secret = plan.spec.options.find((o) => o.key === key)?.secret;
    if (plan.options[key] !== undefined && !secret) out[key] = plan.options[key];
  }
  return Object.keys(out).length ? out : undefined;
}

export async function tlsAndProxy(common: CommonOptions, io: TailIo, cwd: string): Promise<Partial<TransportOptions>> {
  const out: Partial<TransportOptions> = {};
  if (common.ca) {
    try {
      out.ca = await readFile(path.resolve(cwd, common.ca));
    } catch (err) {
      throw new UsageError(`--ca: cannot read ${common.ca} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (common.insecure) {
    out.insecure = true;
    io.stderr.write('evtail: warning: --insecure: TLS certificates are not verified; anyone on the network path can read and change this stream\n');
  }
  if (common.proxy) checkProxyUrl(common.proxy, '--proxy');
  out.agentFor = await proxyAgentFactory(io.env, common.proxy);
  return out;
}

/** --forward-to: a sink of the FanOut (loaded only when asked for: undici is not small). */
async function forwardSink(common: CommonOptions, io: TailIo, cwd: string, redactor: Redactor, reporter: StatusReporter): Promise<ForwardSink | undefined> {
  if (!Array.isArray(common.forwardTo) || common.forwardTo.length === 0) return undefined;
  const { createForwardSink } = await import('./forward/setup.js');
  const forwardReporter = { error: (m: string) => reporter.error(m), warn: (m: string) => reporter.warn(m), debug: (m: string) => reporter.debug(m) };
  return createForwardSink({ common, env: io.env, cwd, redactor, reporter: forwardReporter, userAgent: `evtail/${version()}`, warn: (m) => reporter.warn(m) });
}

export function report(result: Outcome, reporter: StatusReporter, common: CommonOptions): void {
  const err = result.error;
  if (err && result.code !== 0) {
    // -q: the exit code already says "timed out" or "went quiet"; a cron job that reads it needs no mail.
    if (common.quiet && isExpectedOutcome(result.code)) return;
    // -q: one line per error that needs action; the hint is for a person reading along.
    reporter.error(err.message, common.quiet ? undefined : err.hint);
    return;
  }
  if (common.verbose) reporter.debug(`done: ${result.reason}`);
}

export type { ExitCodeValue } from './errors.js';
