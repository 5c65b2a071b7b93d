import type { DriverContext, ProviderModule } from '../spec.js';
import { WebinateDriver } from './driver.js';
import { createDecoder, summarize } from './messages.js';
import { startWebinateMock } from './mock.js';

const provider: ProviderModule = {
  createDriver: (ctx: DriverContext) => new WebinateDriver(ctx),
  startMock: (options) => startWebinateMock(options),
  summarize,
  createDecoder,
  /** "SID=abc" is the secret; the session id alone must not show either. */
  extraSecrets: (options) => {
    const cookie = options.cookie;
    if (typeof cookie !== 'string') return [];
    return cookie
      .split(';')
      .map((part) => part.slice(part.indexOf('=') + 1).trim())
      .filter((v) => v.length >= 4);
  },
};

export default provider;
