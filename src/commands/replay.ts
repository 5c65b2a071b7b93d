/** `evtail replay <file>`: a --record file through the same decoders, filters and printers. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { commonOptions } from '../config/common-options.js';
import { configLocation, resolveOptions } from '../config/resolve.js';
import { loadConfig } from '../config/load.js';
import { resolveSecretSources } from '../config/secrets.js';
import { forwardOptions } from '../forward/options.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { RecordLine } from '../output/recorder.js';
import { findProvider, providers } from '../providers/registry.js';
import { ReplayDriver } from '../replay/replay-driver.js';
import { envelopeDecoder, envelopeRecords, isEnvelopeLine } from '../replay/envelopes.js';
import { announceConfig } from './tail.js';
import { runTail } from '../run.js';
import { systemClock } from '../types.js';

export async function runReplayCommand(file: string, cli: Record<string, unknown>, speedText: string | undefined, asFast: boolean, io: Io): Promise<number> {
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'pass a file written by --record');
  }
  const first = text.split('\n').find((l) => l.trim()) ?? '';
  const envelopes = isEnvelopeLine(first);
  let lines: RecordLine[] = [];
  if (envelopes) {
    const { records, bad } = envelopeRecords(text);
    if (bad !== undefined) throw new UsageError(`${file}:${bad}: not an evtail envelope or dead letter (expected {"time","provider","type","data"})`);
    lines = records;
  } else text.split('\n').forEach((line, n) => {
    if (!line.trim()) return;
    try {
      const rec = JSON.parse(line) as RecordLine;
      if (typeof rec !== 'object' || rec === null || typeof rec.provider !== 'string' || typeof rec.dir !== 'string') throw new Error('not a record');
      lines.push(rec);
    } catch {
      throw new UsageError(`${file}:${n + 1}: not a --record line (expected {"t","provider","dir","frame"})`);
    }
  });
  if (lines.length === 0) throw new UsageError(`${file} holds no recorded frames`);
  const name = lines[0]!.provider;
  const spec = findProvider(name);
  if (!spec) throw new UsageError(`${file} was recorded from "${name}", which this evtail does not know`);
  // Envelopes (a dead-letter file) go out as fast as they are taken, unless --speed asks for their pace.
  let speed = envelopes ? Infinity : 1;
  if (asFast) speed = Infinity;
  else if (speedText !== undefined) {
    speed = Number(speedText);
    if (!Number.isFinite(speed) || speed <= 0) throw new UsageError(`--speed: expected a factor > 0 (e.g. 2, 0.5), got "${speedText}"`);
  }
  const { configPath, profileName } = configLocation(cli, io.env, commonOptions);
  const skippedCode: string[] = [];
  const config = await loadConfig({ configPath, cwd: io.cwd, env: io.env, onSkippedCode: (f) => skippedCode.push(f) });
  const resolved = resolveOptions({ provider: spec, common: commonOptions, cli, env: io.env, config, profileName, allProviderSpecs: providers });
  if (!resolved.common.quiet) announceConfig(io, skippedCode, config?.filepath, profileName, undefined);
  const module = await spec.load();
  if (!module.createDecoder && !envelopes) throw new UsageError(`replay is not supported for ${name} yet`);
  // Options recorded with the run (e.g. --type-path) decode it the same way; settings given now win over defaults only.
  const recorded = lines.find((l) => l.dir === 'meta' && l.options)?.options ?? {};
  const given = Object.fromEntries(Object.entries(resolved.sources).filter(([, source]) => !source.startsWith('default')).map(([k]) => [k, resolved.options[k]]).filter(([, v]) => v !== undefined));
  const decoder = envelopes ? envelopeDecoder : module.createDecoder!({ ...resolved.options, ...recorded, ...given });
  const driver = new ReplayDriver(name, lines, decoder, systemClock, speed);
  const secrets = [...resolved.secrets, ...(await resolveSecretSources(forwardOptions, resolved.common, io.stdin, io.cwd))];
  const common = { ...resolved.common, reconnect: false, record: undefined };
  return runTail({ spec, module: { ...module, parseOptions: () => ({ url: file, options: undefined }), createDriver: () => driver }, common, options: resolved.options, secrets }, io);
}
