/**
 * Wire one tail: options → driver → session → printer → stdout. Owns the signal handlers and the final flush.
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
import { version } from './version.js';
import { formatStats } from './output/stats.js';
import { StatusReporter } from './output/status.js';
import { buildFilter, buildUntil } from './filter/index.js';
import type { CommonOptions, ProviderModule, ProviderSpec } from './providers/spec.js';
import { Redactor } from './redact.js';
import { Session, type SessionObserver, type SessionResult } from './session/session.js';
import { defaultTransport, type TransportOptions } from './transport/ws-transport.js';
import { systemClock } from './types.js';

export interface TailPlan {
  spec: ProviderSpec;
  module: ProviderModule;
  common: CommonOptions;
  options: Record<string, unknown>;
  secrets: string[];
  /** Extra session observers (record...). */
  observers?: SessionObserver[];
  transport?: Partial<TransportOptions>;
}


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
    spinner: Boolean(io.stderr.isTTY) && !io.env.CI,
    colour: colourLevel(common.color, io.env, Boolean(io.stderr.isTTY)) > 0,
  });
  await reporter.init();
  const format: Format = common.format ?? defaultFormat(Boolean(io.stdout.isTTY));
  const sink = new Sink(io.stdout, { coalesce: true });
  const output = await createOutput(format, sink, {
    summarize: module.summarize,
    colourLevel: colourLevel(common.color, io.env, Boolean(io.stdout.isTTY)),
    width: io.stdout.isTTY ? io.stdout.columns : undefined,
  });
  const transport: TransportOptions = { ...defaultTransport, maxPayload: common.maxFrameSize, ...(await tlsAndProxy(common, io)), ...plan.transport };
  const driver = module.createDriver({ ...module.parseOptions(plan.options, common), transport, clock: systemClock });
  const observers = [...(plan.observers ?? [])];
  if (common.meta) observers.push(metaObserver(plan.spec.name, output));
  const recorder = common.record ? await Recorder.open(common.record, plan.spec.name, redactor, { url: common.url ?? plan.spec.defaultUrl, version: version(), options: decodingOptions(plan) }) : undefined;
  if (recorder) observers.push(recorder);
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

  let signalled: string | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) return;
    signalled = sig;
    session.stop(128 + (signalNumbers[sig] ?? 0), `stopped by ${sig}`);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  sink.whenBroken((error) => {
    if (!error) return session.stop(ExitCode.ok, 'stdout was closed');
    session.stop(ExitCode.internal, 'writing stdout failed', new EvtailError(`cannot write to stdout: ${error.message}`, ExitCode.internal));
  });

  let result: SessionResult;
  try {
    result = await session.run();
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
  reporter.stop();
  // The terminal echoed "^C" where the cursor was: what follows (stats, an error) starts on a line of its own.
  if (signalled === 'SIGINT' && io.stderr.isTTY) io.stderr.write('\n');
  const recordError = await recorder?.close();
  if (recordError) reporter.warn(`--record: writing ${common.record} failed: ${recordError.message}`);
  await sink.flush();
  report(result, reporter, common);
  if (common.stats) io.stderr.write(formatStats(result, Date.now() - startedAt, format === 'ndjson', redactor) + '\n');
  return result.code;
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
