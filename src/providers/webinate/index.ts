import type { ProviderModule } from '../spec.js';
import { parseOptions, WebinateDriver, type WebinateOptions } from './driver.js';
import { createDecoder, summarize } from './messages.js';

const provider: ProviderModule<WebinateOptions> = {
  parseOptions,
  createDriver: (ctx) => new WebinateDriver(ctx),
  // The mock (a ws server) loads only for `evtail demo` and `evtail mock`.
  startMock: async (options) => (await import('./mock.js')).startWebinateMock(options),
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
