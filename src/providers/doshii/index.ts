import type { ProviderModule } from '../spec.js';
import { DoshiiDriver, parseOptions, type DoshiiOptions } from './driver.js';
import { clientIdForms, createDecoder, summarize } from './messages.js';

const provider: ProviderModule<DoshiiOptions> = {
  parseOptions,
  createDriver: (ctx) => new DoshiiDriver(ctx),
  // The mock (a ws server) loads only for `evtail demo` and `evtail mock`.
  startMock: async (options) => (await import('./mock.js')).startDoshiiMock(options),
  summarize,
  createDecoder,
  // The client id travels base64-encoded (and URL-encoded) in ?auth=: hide every form of it, not just the clear one.
  extraSecrets: (options) => (typeof options.clientId === 'string' ? clientIdForms(options.clientId) : []),
};

export default provider;
