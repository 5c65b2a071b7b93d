import type { ProviderSpec } from '../spec.js';
import { commonMockOptions } from '../mock-options.js';

export const tweetcatcherSpec: ProviderSpec = {
  name: 'tweetcatcher',
  summary: 'Tweet Catcher monitor gateway (op-code protocol: hello, login, heartbeat, events)',
  defaultUrl: 'wss://monitor-api.tweet-catcher.com/websocket',
  options: [
    { key: 'token', flags: '--token <token>', kind: 'string', secret: true, description: "the task's WebSocket token from the Tweet Catcher dashboard ('-' reads it from stdin)" },
    { key: 'tokenFile', flags: '--token-file <path>', kind: 'string', description: 'read the token from this file (keeps it out of ps and shell history)' },
  ],
  required: [{ key: 'token', hint: 'pass --token, --token-file <path> or set EVTAIL_TOKEN (create a task with the "WebSocket" notification on the Tweet Catcher dashboard)' }],
  mockDefaultPort: 42069,
  mockOptions: [
    ...commonMockOptions,
    { key: 'token', flags: '--token <token...>', kind: 'list', env: false, description: 'tokens the mock accepts (default: any non-empty token)' },
    { key: 'heartbeatInterval', flags: '--heartbeat-interval <duration>', kind: 'duration', min: 10, default: 45000, env: false, description: 'heartbeat_interval sent in Hello' },
    { key: 'refuseLogin', flags: '--refuse-login', kind: 'boolean', env: false, description: 'fault: refuse every login (op 3)' },
    { key: 'stopAcksAfter', flags: '--stop-acks-after <n>', kind: 'int', min: 0, env: false, description: 'fault: stop answering heartbeats after n events (0: never answer)' },
    { key: 'eventFormat', flags: '--event-format <current|older|mixed>', kind: 'enum', choices: ['current', 'older', 'mixed'], default: 'current', env: false, description: 'event data format to send' },
  ],
  filterExamples: { type: ['twitter.post.*', 'truth_social.*'], match: ['data.data.type=quote', 'data.task_info.handle~^nasa'], until: 'type=truth_social.post.new' },
  examples: [
    'evtail tweetcatcher --token-file ~/.tweetcatcher-token',
    'EVTAIL_TOKEN=… evtail tweetcatcher --format ndjson | jq -r \'.data.data.text\'',
    'evtail tweetcatcher --token-file tok --type "twitter.post.*" --max-events 1 --timeout 10m',
  ],
  load: async () => (await import('./index.js')).default,
};
