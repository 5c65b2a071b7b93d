import type { ProviderSpec } from '../spec.js';
import { commonMockOptions } from '../mock-options.js';

export const doshiiSpec: ProviderSpec = {
  name: 'doshii',
  summary: 'Doshii App WebSocket v3 (orders, transactions, bookings, check-ins, tables, menus, locations)',
  defaultUrl: 'wss://socket.<environment>.doshii.co/app/socket/v3?auth=<base64(client id)>&deviceId=<id>',
  options: [
    { key: 'clientId', flags: '--client-id <id>', kind: 'string', secret: true, description: "your Doshii app's client id; sent base64-encoded as ?auth= ('-' reads it from stdin)" },
    { key: 'clientIdFile', flags: '--client-id-file <path>', kind: 'string', description: 'read the client id from this file (keeps it out of ps and shell history)' },
    { key: 'environment', flags: '--environment <name>', kind: 'string', default: 'sandbox', description: 'Doshii environment: sandbox, live, or another name (host socket.<name>.doshii.co; default sandbox)' },
    { key: 'deviceId', flags: '--device-id <id>', kind: 'string', description: 'hashed device id from registering a device with Doshii: only the events its filter selects' },
    { key: 'appVersion', flags: '--app-version <v>', kind: 'string', description: 'version sent in every heartbeat (default: evtail/<its version>)' },
    { key: 'heartbeatInterval', flags: '--heartbeat-interval <duration>', kind: 'duration', min: 10, default: 30_000, description: 'send the heartbeat ping this often; no pong by the next one = dead link (default 30s)' },
  ],
  // Doshii advises retrying "a certain number of times within a given period": 10 attempts within 5 minutes.
  commonDefaults: { maxRetries: 10, retryWindow: 5 * 60_000 },
  required: [{ key: 'clientId', hint: 'pass --client-id, --client-id-file <path> or set EVTAIL_CLIENT_ID (the client id of your Doshii app, from the Doshii developer dashboard)' }],
  mockDefaultPort: 8101,
  mockOptions: [
    ...commonMockOptions,
    { key: 'clientId', flags: '--client-id <id...>', kind: 'list', env: false, description: 'client ids the mock accepts (default: any non-empty auth)' },
    { key: 'refuse', flags: '--refuse', kind: 'boolean', env: false, description: 'fault: refuse every upgrade with --refuse-status' },
    { key: 'refuseStatus', flags: '--refuse-status <status>', kind: 'int', min: 400, default: 401, env: false, description: 'HTTP status of a refused upgrade (default 401)' },
    { key: 'envelope', flags: '--envelope <emit|event|mixed>', kind: 'enum', choices: ['emit', 'event', 'mixed'], default: 'mixed', env: false, description: 'event envelope: {"emit":[name,payload]}, {"event":name,"data":payload}, or alternate' },
    { key: 'pongShape', flags: '--pong-shape <plain|message|mixed>', kind: 'enum', choices: ['plain', 'message', 'mixed'], default: 'mixed', env: false, description: 'pong: {"doshii":{"pong":…}}, {"type":"message","data":{"doshii":{…}}}, or alternate' },
    { key: 'stopPongsAfter', flags: '--stop-pongs-after <n>', kind: 'int', min: 0, env: false, description: 'fault: stop answering heartbeat pings after n events (0: never answer); events go on' },
    { key: 'serverPingInterval', flags: '--server-ping-interval <duration>', kind: 'duration', min: 0, default: 0, env: false, description: "send the server's own ping this often (0: never)" },
    { key: 'heartbeatTimeout', flags: '--heartbeat-timeout <duration>', kind: 'duration', min: 10, default: 90_000, env: false, description: 'close (4000) a client that sends no ping for this long (default 90s)' },
  ],
  filterExamples: { type: ['order_*', 'transaction_*'], match: ['data.status=pending', 'data.locationId=vNdBX3ep'], until: 'type=order_created' },
  examples: [
    'evtail doshii --client-id-file ~/.doshii-client-id',
    'EVTAIL_CLIENT_ID=… evtail doshii --environment live --device-id 9f1c… --app-version 2.4.1',
    "evtail doshii --client-id-file id -o ndjson | jq -c 'select(.type|startswith(\"order_\")) | {id, status: .data.status}'",
    'evtail doshii --client-id-file id --max-retries 5 --retry-window 5m   # give up after 5 drops within 5 minutes',
  ],
  load: async () => (await import('./index.js')).default,
};
