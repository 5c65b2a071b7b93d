import type { ProviderModule } from '../spec.js';
import { StreamElementsDriver } from './driver.js';
import { parseOptions, type StreamElementsOptions } from './options.js';
import { createDecoder, summarize } from './messages.js';

const provider: ProviderModule<StreamElementsOptions> = {
  parseOptions,
  createDriver: (ctx) => new StreamElementsDriver(ctx),
  // The mock (a ws server) loads only for `evtail demo` and `evtail mock`.
  startMock: async (options) => (await import('./mock.js')).startStreamElementsMock(options),
  summarize,
  createDecoder,
};

export default provider;
