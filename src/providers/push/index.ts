import type { DriverContext, ProviderModule } from '../spec.js';
import { PushDriver } from './driver.js';
import { createDecoder, summarize } from './messages.js';

const provider: ProviderModule = {
  createDriver: (ctx: DriverContext) => new PushDriver(ctx),
  // The mock pulls in socketcluster-server: load it only for `evtail demo push` and `evtail mock push`.
  startMock: async (options) => (await import('./mock.js')).startPushMock(options),
  summarize,
  createDecoder,
};

export default provider;
