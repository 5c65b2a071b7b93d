import type { ProviderSpec } from '../spec.js';
import { commonMockOptions } from '../mock-options.js';

export const webinateSpec: ProviderSpec = {
  name: 'webinate',
  summary: 'Webinate users server socket API (self-hosted: --url; Origin allow-list; numeric eventType or string type)',
  options: [
    { key: 'origin', flags: '--origin <origin>', kind: 'string', description: "Origin header to send; must match one of the server's approvedSocketDomains (default: the URL's own origin, http(s)://host:port)" },
    { key: 'cookie', flags: '--cookie <SID=…>', kind: 'string', secret: true, description: "session cookie of a logged-in user (SID=…; a bare value is sent as SID=<value>; '-' reads it from stdin)" },
    { key: 'cookieFile', flags: '--cookie-file <path>', kind: 'string', description: 'read the cookie from this file' },
    { key: 'apiKey', flags: '--api-key <key>', kind: 'string', secret: true, description: "the server's websocket.socketApiKey, sent as the users-api-key header: a trusted third party ('-' reads it from stdin)" },
    { key: 'apiKeyFile', flags: '--api-key-file <path>', kind: 'string', description: 'read the API key from this file' },
    { key: 'echo', flags: '--echo <text>', kind: 'string', description: 'send an Echo event with this message after connecting; the reply is printed as an event' },
    { key: 'send', flags: '--send <json>', kind: 'string', description: 'send this event (a JSON object) after connecting, e.g. a MetaRequest' },
    { key: 'pingInterval', flags: '--ping-interval <duration>', kind: 'duration', min: 10, default: 30_000, description: 'send a WebSocket ping this often; no pong by the next one = dead link, reconnect (default 30s)' },
  ],
  mockDefaultPort: 8104,
  mockOptions: [
    ...commonMockOptions,
    {
      key: 'approvedSocketDomains',
      flags: '--approved-socket-domains <regex...>',
      kind: 'list',
      env: false,
      description: 'regular expressions tested (unanchored, like the real server) against the Origin header; default: the example config list plus ^trusted-host$',
    },
    { key: 'socketApiKey', flags: '--socket-api-key <key>', kind: 'string', env: false, default: 'mock-socket-api-key', description: 'the key a users-api-key header must carry to be a trusted third party (any Origin; MetaRequest allowed)' },
    { key: 'generation', flags: '--generation <numeric|string|mixed>', kind: 'enum', choices: ['numeric', 'string', 'mixed'], default: 'numeric', env: false, description: 'protocol generation: numeric eventType (documented), string type (newer servers), or both alternately' },
  ],
  filterExamples: { type: ['File*', 'Login'], match: ['data.username=alice', 'data.file.name~\\.json$'], until: 'type=FileUploaded' },
  examples: [
    'evtail webinate --url ws://localhost:8080 --origin http://localhost',
    'evtail webinate --url wss://users.example.com:8080 --origin https://app.example.com --cookie-file ~/.webinate-sid',
    'evtail webinate --url ws://localhost:8080 --echo hello -n 1 --timeout 10s   # smoke check: exit 0 when the echo comes back',
    "evtail webinate --url ws://localhost:8080 --api-key-file key --format ndjson | jq -c 'select(.type==\"FileUploaded\") | .data.file'",
  ],
  load: async () => (await import('./index.js')).default,
};
