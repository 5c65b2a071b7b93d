import type { DriverContext, ProviderModule } from '../spec.js';
import { StreamElementsDriver } from './driver.js';
import { createDecoder, summarize } from './messages.js';

const provider: ProviderModule = {
  createDriver: (ctx: DriverContext) => new StreamElementsDriver(ctx),
  // The mock (a ws server) loads only for `evtail demo` and `evtail mock`.
  startMock: async (options) => (await import('./mock.js')).startStreamElementsMock(options),
  summarize,
  createDecoder,
};

export default provider;
