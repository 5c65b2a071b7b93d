import type { ProviderModule } from '../spec.js';
import { parseOptions, TweetCatcherDriver, type TweetCatcherOptions } from './driver.js';
import { createDecoder, summarize } from './messages.js';

const provider: ProviderModule<TweetCatcherOptions> = {
  parseOptions,
  createDriver: (ctx) => new TweetCatcherDriver(ctx),
  // The mock (a ws server) loads only for `evtail demo` and `evtail mock`, not for every real run.
  startMock: async (options) => (await import('./mock.js')).startTweetCatcherMock(options),
  summarize,
  createDecoder,
};

export default provider;
