import type { ProviderSpec } from '../spec.js';

/** `evtail socketcluster <url> --channel <name...>`: any SocketCluster server's channels. */
export const socketclusterSpec: ProviderSpec = {
  name: 'socketcluster',
  summary: "any SocketCluster server: subscribe to channels and print every publish",
  urlArgument: true,
  noMock: true,
  options: [
    { key: 'channel', flags: '--channel <name...>', kind: 'list', description: 'channel(s) to subscribe to: --channel a --channel b, or --channel a b after the URL' },
    { key: 'protocolVersion', flags: '--protocol-version <1|2>', kind: 'enum', choices: ['1', '2'], default: '2', description: 'SocketCluster protocol: 2 (SocketCluster 15+, the default) or 1 (v14 and older servers); a mismatch is spotted from the pings and corrected with a warning' },
    { key: 'authToken', flags: '--auth-token <jwt>', kind: 'string', secret: true, description: "signed auth token (JWT) to authenticate with ('-' reads it from stdin)" },
    { key: 'authTokenFile', flags: '--auth-token-file <path>', kind: 'string', description: 'read the auth token from this file' },
  ],
  required: [{ key: 'channel', hint: 'pass --channel <name> (repeatable) with the channels to subscribe to' }],
  mockOptions: [],
  filterExamples: { type: ['alert', 'trade*'], match: ['channel=alerts', 'data.level!=debug'], until: 'data.level=critical' },
  examples: [
    'evtail socketcluster wss://sc.example.com/socketcluster/ --channel trades --channel news',
    'evtail socketcluster ws://localhost:8000/socketcluster/ --channel sensor/1 --protocol-version 1',
  ],
  load: async () => (await import('./index.js')).default,
};
