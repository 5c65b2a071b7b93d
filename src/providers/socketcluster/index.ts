import { UsageError } from '../../errors.js';
import type { DriverContext, ProviderModule } from '../spec.js';
import { SocketClusterDriver } from './driver.js';
import { createDecoder, summarize } from './messages.js';

const provider: ProviderModule = {
  createDriver: (ctx: DriverContext) => new SocketClusterDriver(ctx),
  startMock: async () => {
    throw new UsageError('socketcluster is a generic client: it has no mock', 'run any SocketCluster server (socketcluster-server) and tail it with evtail socketcluster ws://127.0.0.1:8000/socketcluster/ --channel <name>');
  },
  summarize,
  createDecoder,
};

export default provider;
