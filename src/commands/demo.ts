/** `evtail demo [provider]`: start the provider's mock on loopback and tail it. No account, no network. */
import { commonOptions } from '../config/common-options.js';
import { resolveOptions } from '../config/resolve.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { providers } from '../providers/registry.js';
import type { ProviderSpec } from '../providers/spec.js';
import { runTail } from '../run.js';

export async function runDemoCommand(spec: ProviderSpec, cli: Record<string, unknown>, rateText: string | undefined, io: Io): Promise<number> {
  // The demo ignores config files and EVTAIL_* credentials: it must work the same on every machine.
  const resolved = resolveOptions({ provider: spec, common: commonOptions, cli, env: {}, config: undefined, allProviderSpecs: providers });
  let rate = 2;
  if (rateText !== undefined) {
    rate = Number(rateText);
    if (!Number.isFinite(rate) || rate < 0) throw new UsageError(`--rate: expected a number of events per second >= 0, got "${rateText}"`);
  }
  const module = await spec.load();
  // A provider that speaks more than one protocol (push --protocol weni) gets the mock of the one asked for.
  const protocol = resolved.options.protocol;
  const mock = await module.startMock({ host: '127.0.0.1', port: 0, rate, ...(typeof protocol === 'string' ? { protocol } : {}) });
  try {
    if (!resolved.common.quiet) io.stderr.write(`evtail: demo: ${spec.name} mock listening on ${mock.url}\n`);
    const common = { ...resolved.common, url: mock.url };
    // The mock's credentials, unless the user typed that option (e.g. --origin to see a refusal).
    const typed = Object.fromEntries(Object.keys(cli).filter((k) => k in resolved.options).map((k) => [k, resolved.options[k]]));
    const options = { ...resolved.options, ...mock.demoOptions, ...typed };
    const secrets = spec.options.filter((o) => o.secret && typeof options[o.key] === 'string').map((o) => options[o.key] as string);
    return await runTail({ spec, module, common, options, secrets }, io);
  } finally {
    await mock.close();
  }
}

