import { UsageError } from '../../errors.js';
import type { ProviderModule } from '../spec.js';
import { parseOptions, WsDriver, type WsOptions } from './driver.js';
import { createDecoder, headerSecrets, summarize } from './messages.js';

const provider: ProviderModule<WsOptions> = {
  parseOptions,
  createDriver: (ctx) => new WsDriver(ctx),
  startMock: async () => {
    throw new UsageError('ws is a generic client: it has no mock', 'run any WebSocket server, e.g. npx wscat --listen 8080, and tail it with evtail ws ws://127.0.0.1:8080');
  },
  summarize,
  createDecoder,
  /** Credential headers (Authorization, Cookie, *-key, *token*): their values, and the part after "Bearer ". */
  extraSecrets: (options) => headerSecrets(options.header),
};

export default provider;
