/** `evtail mock <provider>`: serve a provider's mock until Ctrl-C. */
import { flagOf, parseValueOrThrow } from '../config/parse-values.js';
import type { Io } from '../io.js';
import type { ProviderSpec } from '../providers/spec.js';
import { shellQuote } from '../shell-quote.js';
import { UsageError } from '../errors.js';
import type { MockServer } from '../types.js';

/** A port in use (another mock, another program), a privileged port, a --host not on this machine: exit 2, said plainly. */
async function startOrExplain(start: () => Promise<MockServer>, port: number, host: string | undefined): Promise<MockServer> {
  try {
    return await start();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${host ?? '127.0.0.1'}:${port}`;
    if (code === 'EADDRINUSE') throw new UsageError(`--port ${port}: ${where} is already in use`, 'stop what listens there, pick another --port, or --port 0 for any free port');
    if (code === 'EACCES') throw new UsageError(`--port ${port}: not allowed to listen on ${where} (ports below 1024 need privileges)`, 'pick a port above 1023, or --port 0 for any free port');
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new UsageError(`--host ${host ?? ''}: cannot listen there (${code}): not an address of this machine`, 'use --host 127.0.0.1 (the default) or 0.0.0.0');
    throw err;
  }
}

export async function runMockCommand(spec: ProviderSpec, cli: Record<string, unknown>, io: Io): Promise<number> {
  const options: Record<string, unknown> = {};
  for (const o of spec.mockOptions) {
    const raw = cli[o.key];
    options[o.key] = raw === undefined ? o.default : parseValueOrThrow(o, raw, 'cli', flagOf(o.key));
  }
  if (options.port === undefined) options.port = spec.mockDefaultPort ?? 0;
  const port = options.port as number;
  if (port > 65535) throw new UsageError(`--port: expected a port from 0 to 65535, got ${port}`, '--port 0 picks any free port');
  const module = await spec.load();
  const mock = await startOrExplain(() => module.startMock(options), port, typeof options.host === 'string' ? options.host : undefined);
  // Listen for the stop signals before saying where the mock listens: a script may signal as soon as it reads it.
  const stopped = new Promise<void>((resolve) => {
    const signals = io.signals ?? process;
    const stop = () => {
      signals.off('SIGINT', stop);
      signals.off('SIGTERM', stop);
      resolve();
    };
    signals.on('SIGINT', stop);
    signals.on('SIGTERM', stop);
  });
  io.stderr.write(`evtail: ${spec.name} mock listening on ${mock.url}\n`);
  const creds = Object.entries(mock.demoOptions).map(([k, v]) => `${flagOf(k)} ${shellQuote(String(v))}`).join(' ');
  io.stderr.write(`evtail: try: evtail ${spec.name} --url ${mock.url}${creds ? ' ' + creds : ''}\n`);
  io.stdout.write(`${mock.url}\n`);
  await stopped;
  await mock.close();
  return 0;
}
