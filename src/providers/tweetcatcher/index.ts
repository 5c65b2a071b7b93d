import type { DriverContext, ProviderModule } from '../spec.js';
import { TweetCatcherDriver } from './driver.js';
import { createDecoder, summarize } from './messages.js';
import { startTweetCatcherMock } from './mock.js';

const provider: ProviderModule = {
  createDriver: (ctx: DriverContext) => new TweetCatcherDriver(ctx),
  startMock: (options) => startTweetCatcherMock(options),
  summarize,
  createDecoder,
};

export default provider;
