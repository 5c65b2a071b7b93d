/** `evtail mock <provider>`: serve a provider's mock until Ctrl-C. */
import { flagOf, parseValueOrThrow } from '../config/parse-values.js';
import type { Io } from '../io.js';
import type { ProviderSpec } from '../providers/spec.js';
import { shellQuote } from '../shell-quote.js';

export async function runMockCommand(spec: ProviderSpec, cli: Record<string, unknown>, io: Io): Promise<number> {
  const options: Record<string, unknown> = {};
  for (const o of spec.mockOptions) {
    const raw = cli[o.key];
    options[o.key] = raw === undefined ? o.default : parseValueOrThrow(o, raw, 'cli', flagOf(o.key));
  }
  if (options.port === undefined) options.port = spec.mockDefaultPort ?? 0;
  const module = await spec.load();
  const mock = await module.startMock(options);
  // Listen for the stop signals before saying where the mock listens: a script may signal as soon as it reads it.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  io.stderr.write(`evtail: ${spec.name} mock listening on ${mock.url}\n`);
  const creds = Object.entries(mock.demoOptions).map(([k, v]) => `${flagOf(k)} ${shellQuote(String(v))}`).join(' ');
  io.stderr.write(`evtail: try: evtail ${spec.name} --url ${mock.url}${creds ? ' ' + creds : ''}\n`);
  io.stdout.write(`${mock.url}\n`);
  await stopped;
  await mock.close();
  return 0;
}
