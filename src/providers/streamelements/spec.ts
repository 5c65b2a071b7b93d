import type { ProviderSpec } from '../spec.js';
import { commonMockOptions } from '../mock-options.js';

/** Error codes the mock can be told to answer subscriptions with (`--fail-subscribe <code>`). */
export const streamelementsErrorCodes = [
  'err_internal_error',
  'err_bad_request',
  'err_unauthorized',
  'err_deadline_exceeded',
  'rate_limit_exceeded',
  'invalid_message_type',
  'invalid_message',
] as const;

export const streamelementsSpec: ProviderSpec = {
  name: 'streamelements',
  summary: 'StreamElements Astro gateway (pub/sub: subscribe to topics with a token; activities, tips, chat...)',
  defaultUrl: 'wss://astro.streamelements.com',
  decodingOptions: ['room'],
  options: [
    { key: 'token', flags: '--token <token>', kind: 'string', secret: true, description: "your StreamElements token: the JWT from the dashboard (Account → Channels), an overlay API key or an OAuth2 access token ('-' reads it from stdin)" },
    { key: 'tokenFile', flags: '--token-file <path>', kind: 'string', description: 'read the token from this file (keeps it out of ps and shell history)' },
    { key: 'tokenType', flags: '--token-type <type>', kind: 'enum', choices: ['apikey', 'jwt', 'oauth2', 'oauth'], default: 'jwt', description: 'apikey | jwt | oauth2 | oauth (older spelling of oauth2; sent as given). Default: jwt' },
    { key: 'topic', flags: '--topic <topic...>', kind: 'list', default: ['channel.activities'], description: 'topic to subscribe to; repeat for more (channel.activities, channel.tips, channel.chat.message, channel.stream.status...). Default: channel.activities' },
    { key: 'room', flags: '--room <room>', kind: 'string', description: 'room (channel id) to subscribe in, when the token gives access to more than one' },
    { key: 'roomHintAfter', flags: '--room-hint-after <duration>', kind: 'duration', min: 0, default: 60_000, description: 'subscribed without --room and nothing arrived for this long: say on stderr that --room <channel id> may be needed (0: never). Default: 60s' },
    { key: 'pingTimeout', flags: '--ping-timeout <duration>', kind: 'duration', min: 1, default: 70_000, description: 'no ping from the server for this long means a dead link (the server pings every 30s). Default: 70s' },
  ],
  required: [{ key: 'token', hint: 'pass --token, --token-file <path> or set EVTAIL_TOKEN (the JWT token is on the StreamElements dashboard: Account → Channels → Show secrets)' }],
  mockDefaultPort: 8103,
  mockOptions: [
    ...commonMockOptions,
    { key: 'token', flags: '--token <token...>', kind: 'list', env: false, description: "tokens the mock accepts: 'T' for every topic, 'T:topic1,topic2' for those topics only (default: any non-empty token, every topic)" },
    { key: 'channelId', flags: '--channel-id <id>', kind: 'string', env: false, description: 'the room (channel id) events carry when the client names none' },
    { key: 'pingInterval', flags: '--ping-interval <duration>', kind: 'duration', min: 10, default: 30_000, env: false, description: 'a WebSocket ping this often' },
    { key: 'pongTimeout', flags: '--pong-timeout <duration>', kind: 'duration', min: 10, default: 70_000, env: false, description: 'close a client that has not answered a ping for this long' },
    { key: 'rateLimitMs', flags: '--rate-limit-ms <duration>', kind: 'duration', min: 0, default: 100, env: false, description: 'one command per this long (token bucket; 0: no limit); excess commands get rate_limit_exceeded' },
    { key: 'rateLimitBurst', flags: '--rate-limit-burst <n>', kind: 'int', min: 1, default: 2, env: false, description: 'token bucket size for the command rate limit (default 2: a little jitter is forgiven, a burst is not)' },
    { key: 'failSubscribe', flags: '--fail-subscribe <code>', kind: 'enum', choices: [...streamelementsErrorCodes], env: false, description: 'fault: answer subscriptions with this error code (rate_limit_exceeded comes without a nonce)' },
    { key: 'failCount', flags: '--fail-count <n>', kind: 'int', min: 0, env: false, description: 'with --fail-subscribe: only the first n subscriptions (counted across connections; default: all)' },
    { key: 'reconnectAfter', flags: '--reconnect-after <n>', kind: 'int', min: 1, env: false, description: 'graceful shutdown: send a reconnect message (with a reconnect_token) after n events on a connection, then close' },
    { key: 'refuseReconnectToken', flags: '--refuse-reconnect-token', kind: 'boolean', env: false, description: 'fault: close a connection that presents a reconnect_token at once (the client must subscribe afresh)' },
    { key: 'upgradeStatus', flags: '--upgrade-status <code>', kind: 'int', min: 400, env: false, description: 'fault: answer the WebSocket upgrade with this HTTP status (429, 502...)' },
    { key: 'upgradeFailures', flags: '--upgrade-failures <n>', kind: 'int', min: 0, env: false, description: 'with --upgrade-status: only the first n upgrades (default 1)' },
    { key: 'requireRoom', flags: '--require-room', kind: 'boolean', env: false, description: 'a token for several channels: subscriptions without a room succeed but carry nothing (shows the --room hint)' },
    { key: 'retryAfter', flags: '--retry-after <seconds>', kind: 'int', min: 0, env: false, description: 'with --upgrade-status 429: the Retry-After header, in seconds' },
  ],
  filterExamples: { type: ['channel.tips', 'channel.activities'], match: ['data.type=tip', 'data.data.amount>=10'], until: 'data.type=tip' },
  examples: [
    'evtail streamelements --token-file ~/.se-jwt',
    'evtail streamelements --token-file ~/.se-jwt --topic channel.activities --topic channel.tips',
    'EVTAIL_TOKEN=… evtail streamelements --topic channel.tips -o ndjson | jq -r \'.data.donation | "\\(.user.username) \\(.amount) \\(.currency)"\'',
    'evtail streamelements --token-file key --token-type apikey --topic channel.chat.message',
  ],
  load: async () => (await import('./index.js')).default,
};
