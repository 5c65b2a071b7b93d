import type { ProviderSpec } from '../spec.js';
import { commonMockOptions } from '../mock-options.js';

export const pushSpec: ProviderSpec = {
  name: 'push',
  summary: 'Push web-chat channel over SocketCluster v9 (registerUser, subscribe to your urn, sendMessageToChannel)',
  defaultUrl: 'wss://<host>/socketcluster/?channelUUID=<uuid>&hostApi=<url>',
  options: [
    { key: 'host', flags: '--host <hostname>', kind: 'string', description: 'the Push WebSocket server (hostname[:port]; the default URL is wss://<host>/socketcluster/?channelUUID=…&hostApi=…)' },
    { key: 'channelUuid', flags: '--channel-uuid <uuid>', kind: 'string', description: "the Push channel's UUID (from the web-chat embed code)" },
    { key: 'hostApi', flags: '--host-api <url>', kind: 'string', description: 'the Push API URL the socket server forwards to (hostApi in the embed code)' },
    { key: 'urn', flags: '--urn <urn>', kind: 'string', description: 'resume this session (the urn of an earlier registerUser) instead of registering a new user' },
    { key: 'send', flags: '--send <text>', kind: 'string', env: false, description: 'send this message once subscribed' },
    { key: 'stdin', flags: '--stdin', kind: 'boolean', env: false, description: 'send each line read from stdin (a chat from the terminal); the tail goes on when stdin ends' },
  ],
  mockDefaultPort: 8102,
  mockOptions: [
    ...commonMockOptions,
    { key: 'channelUuid', flags: '--channel-uuid <uuid...>', kind: 'list', env: false, description: 'channel UUIDs the mock accepts (default: any non-empty UUID)' },
    { key: 'pingInterval', flags: '--ping-interval <ms>', kind: 'int', min: 10, default: 8000, env: false, description: 'send #1 every ms (SocketCluster pingInterval)' },
    { key: 'pingTimeout', flags: '--ping-timeout <ms>', kind: 'int', min: 10, default: 20000, env: false, description: 'pingTimeout announced in the handshake; a client silent this long is closed with 4001' },
    { key: 'refuseRegistration', flags: '--refuse-registration <how>', kind: 'enum', choices: ['error', 'no-urn'], env: false, description: "fault: answer registerUser with an error ('error') or with a reply without an urn ('no-urn')" },
    { key: 'stopPingsAfter', flags: '--stop-pings-after <n>', kind: 'int', min: 0, env: false, description: 'fault: stop sending #1 (and stop watching #2) after n bot messages on a connection (0: right after the handshake)' },
    { key: 'urn', flags: '--urn <urn...>', kind: 'list', env: false, description: 'urns registered before the mock started (a restarted server keeps its users): accepted for #subscribe' },
    { key: 'strayEvery', flags: '--stray-every <n>', kind: 'int', min: 1, env: false, description: 'also publish a message addressed to another urn after every n bot messages (a client must skip it)' },
  ],
  examples: [
    'evtail push --host push.example.com --channel-uuid 9f4c2b1e-7a3d-4e5f-8b6a-0c1d2e3f4a5b --host-api https://api.push.example.com',
    'evtail push --host push.example.com --channel-uuid $UUID --host-api $API --send "hello" -o ndjson | jq -r .data.text',
    'evtail push -p support --stdin              # type a line, press Enter: it is sent to the channel',
    'evtail demo push --send hi --format ndjson --max-events 3',
  ],
  load: async () => (await import('./index.js')).default,
};
