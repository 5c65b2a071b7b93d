import type { DriverContext, ProviderModule } from '../spec.js';
import { StreamElementsDriver } from './driver.js';
import { createDecoder, summarize } from './messages.js';
import { startStreamElementsMock } from './mock.js';

const provider: ProviderModule = {
  createDriver: (ctx: DriverContext) => new StreamElementsDriver(ctx),
  startMock: (options) => startStreamElementsMock(options),
  summarize,
  createDecoder,
};

export default provider;
