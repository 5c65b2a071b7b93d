import { UsageError } from '../../errors.js';
import type { ProviderModule } from '../spec.js';
import { parseOptions, SocketClusterDriver, type SocketClusterOptions } from './driver.js';
import { createDecoder, summarize } from './messages.js';

const provider: ProviderModule<SocketClusterOptions> = {
  parseOptions,
  createDriver: (ctx) => new SocketClusterDriver(ctx),
  startMock: async () => {
    throw new UsageError('socketcluster is a generic client: it has no mock', 'run any SocketCluster server (socketcluster-server) and tail it with evtail socketcluster ws://127.0.0.1:8000/socketcluster/ --channel <name>');
  },
  summarize,
  createDecoder,
};

export default provider;
