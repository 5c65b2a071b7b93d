/** `evtail demo [provider]`: start the provider's mock on loopback and tail it. No account, no network. */
import { DEMO_RATE, commonOptions, demoCommonOptions, demoProviderOptions } from '../config/common-options.js';
import { resolveOptions } from '../config/resolve.js';
import { resolveSecretSources } from '../config/secrets.js';
import { forwardOptions } from '../forward/options.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { buildFilter, buildUntil } from '../filter/index.js';
import { providers } from '../providers/registry.js';
import { envNameFor, type ProviderSpec } from '../providers/spec.js';
import { runTail } from '../run.js';


export async function runDemoCommand(spec: ProviderSpec, cli: Record<string, unknown>, rateText: string | undefined, io: Io): Promise<number> {
  // The demo ignores config files and EVTAIL_* credentials (it must work the same on every machine), but takes
  // EVTAIL_* settings of the options it has (EVTAIL_FORMAT, EVTAIL_MAX_EVENTS…), checked like flags.
  const env = demoEnv(spec, io.env);
  const resolved = resolveOptions({ provider: spec, common: commonOptions, cli, env, config: undefined, allProviderSpecs: providers });
  let rate = DEMO_RATE;
  if (rateText !== undefined) {
    rate = Number(rateText);
    if (!Number.isFinite(rate) || rate < 0) throw new UsageError(`--rate: expected a number of events per second >= 0, got "${rateText}"`);
  }
  // A bad filter expression is a usage error before the mock starts (and says "listening").
  buildFilter(resolved.common);
  buildUntil(resolved.common);
  const module = await spec.load();
  // A provider that speaks more than one protocol (push --protocol weni, webinate --generation) gets the mock of
  // the one asked for: a choice the tail and the mock share is passed on.
  const shared = spec.mockOptions.filter((m) => m.kind === 'enum' && spec.options.some((o) => o.key === m.key) && typeof resolved.options[m.key] === 'string');
  const mock = await module.startMock({ host: '127.0.0.1', port: 0, rate, ...Object.fromEntries(shared.map((m) => [m.key, resolved.options[m.key]])) });
  try {
    if (!resolved.common.quiet) io.stderr.write(`evtail: demo: ${spec.name} mock listening on ${mock.url}\n`);
    const common = { ...resolved.common, url: mock.url };
    // The mock's credentials, unless the user typed that option (e.g. --origin to see a refusal).
    const typed = Object.fromEntries(Object.keys(cli).filter((k) => k in resolved.options).map((k) => [k, resolved.options[k]]));
    // Typing one of them (e.g. --origin to see a refusal) means "my access": the demo then adds no secret of its own
    // (webinate's API key would approve any Origin).
    const demo = mock.demoOptions;
    const mine = Object.keys(demo).some((k) => k in typed);
    const secretKeys = new Set(spec.options.filter((o) => o.secret).map((o) => o.key));
    const given = mine ? Object.fromEntries(Object.entries(demo).filter(([k]) => !secretKeys.has(k))) : demo;
    const options = { ...resolved.options, ...given, ...typed };
    const secrets = spec.options.filter((o) => o.secret && typeof options[o.key] === 'string').map((o) => options[o.key] as string);
    secrets.push(...resolved.secrets, ...(await resolveSecretSources(forwardOptions, common, io.stdin, io.cwd)));
    return await runTail({ spec, module, common, options, secrets }, io);
  } finally {
    await mock.close();
  }
}

function demoEnv(spec: ProviderSpec, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const names = new Set([...demoCommonOptions(), ...demoProviderOptions(spec)].map(envNameFor).filter((n): n is string => n !== undefined));
  return Object.fromEntries(Object.entries(env).filter(([k]) => names.has(k)));
}
