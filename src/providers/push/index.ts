import type { DriverContext, ProviderModule } from '../spec.js';
import { PushDriver } from './driver.js';
import { createDecoder, summarize } from './messages.js';
import { WeniDriver } from './weni-driver.js';
import { createWeniDecoder, isWeniEvent, summarizeWeni } from './weni-messages.js';

const isWeni = (options: Record<string, unknown>) => options.protocol === 'weni';

const provider: ProviderModule = {
  createDriver: (ctx: DriverContext) => (isWeni(ctx.options) ? new WeniDriver(ctx) : new PushDriver(ctx)),
  // The SocketCluster mock pulls in socketcluster-server: load the mocks only for `evtail demo push` and `evtail mock push`.
  startMock: async (options) => (isWeni(options) ? (await import('./weni-mock.js')).startWeniMock(options) : (await import('./mock.js')).startPushMock(options)),
  // One provider, two wire formats: a Weni payload is told by its shape.
  summarize: (ev) => (isWeniEvent(ev) ? summarizeWeni(ev) : summarize(ev)),
  createDecoder: (options) => (isWeni(options) ? createWeniDecoder(options) : createDecoder()),
};

export default provider;
