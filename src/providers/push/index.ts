import type { CommonOptions, ProviderModule, RawOptions } from '../spec.js';
import { parseOptions as parsePushOptions, PushDriver, type PushOptions } from './driver.js';
import { createDecoder, summarize } from './messages.js';
import { parseWeniOptions, WeniDriver, type WeniOptions } from './weni-driver.js';
import { createWeniDecoder, isWeniEvent, summarizeWeni } from './weni-messages.js';

const isWeni = (options: RawOptions) => options.protocol === 'weni';

/** One provider, two wire formats: --protocol picks the options' shape, and the options pick the driver. */
const provider: ProviderModule<PushOptions | WeniOptions> = {
  parseOptions: (raw: RawOptions, common: CommonOptions) => (isWeni(raw) ? parseWeniOptions(raw, common) : parsePushOptions(raw, common)),
  createDriver: (ctx) => (ctx.options.protocol === 'weni' ? new WeniDriver({ ...ctx, options: ctx.options }) : new PushDriver({ ...ctx, options: ctx.options })),
  // The SocketCluster mock pulls in socketcluster-server: load the mocks only for `evtail demo push` and `evtail mock push`.
  startMock: async (options) => (isWeni(options) ? (await import('./weni-mock.js')).startWeniMock(options) : (await import('./mock.js')).startPushMock(options)),
  // One provider, two wire formats: a Weni payload is told by its shape.
  summarize: (ev) => (isWeniEvent(ev) ? summarizeWeni(ev) : summarize(ev)),
  createDecoder: (options) => (isWeni(options) ? createWeniDecoder(options) : createDecoder()),
};

export default provider;
