import type { ProviderSpec } from '../spec.js';
import { commonMockOptions } from '../mock-options.js';

export const webinateSpec: ProviderSpec = {
  name: 'webinate',
  summary: 'Webinate users server socket API (self-hosted: --url; Origin allow-list; --api-key or --cookie to receive events)',
  options: [
    { key: 'origin', flags: '--origin <origin>', kind: 'string', description: "Origin header to send; must match one of the server's approvedSocketDomains (default: the URL's own origin, http(s)://host:port)" },
    { key: 'cookie', flags: '--cookie <SID=…>', kind: 'string', secret: true, description: "session cookie of a logged-in user (SID=…; a bare value is sent as SID=<value>; '-' reads it from stdin)" },
    { key: 'cookieFile', flags: '--cookie-file <path>', kind: 'string', description: 'read the cookie from this file' },
    { key: 'apiKey', flags: '--api-key <key>', kind: 'string', secret: true, description: "the server's websocket.socketApiKey, sent as the users-api-key header: a trusted third party ('-' reads it from stdin)" },
    { key: 'apiKeyFile', flags: '--api-key-file <path>', kind: 'string', description: 'read the API key from this file' },
    { key: 'generation', flags: '--generation <numeric|string>', kind: 'enum', choices: ['numeric', 'string'], description: "the server's protocol: string type names (v0.5.0 and later, the default) or numeric eventType (before Aug 2016; implied by --echo); a frame from the server says which, when it comes first" },
    { key: 'metaRequest', flags: '--meta-request <user[.property]>', kind: 'string', description: "send a MetaRequest for this user's meta data (or one property) after connecting: a trusted third party's request (--api-key); re-sent until answered" },
    { key: 'repliesOnly', flags: '--replies-only', kind: 'boolean', env: false, description: "print (and count for -n) only the server's answers to what evtail sent (--meta, --echo, --send); an error answer goes to stderr" },
    { key: 'echo', flags: '--echo <text>', kind: 'string', description: 'numeric generation only: send an Echo with this message after connecting; the reply is printed as an event' },
    { key: 'send', flags: '--send <json>', kind: 'string', description: 'send this event (a JSON object) after connecting, e.g. a MetaRequest' },
    { key: 'sendDelay', flags: '--send-delay <duration>', kind: 'duration', min: 0, default: 1000, description: 'wait this long after the upgrade before sending: the server listens only once it has approved the socket and looked up its session, and says nothing when it has (default 1s)' },
    { key: 'silenceHintAfter', flags: '--silence-hint-after <duration>', kind: 'duration', min: 0, default: 60_000, description: 'without --api-key or --cookie, nothing from a current server for this long: say why on stderr (0: never; default 1m)' },
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
    { key: 'generation', flags: '--generation <numeric|string|mixed>', kind: 'enum', choices: ['numeric', 'string', 'mixed'], default: 'string', env: false, description: 'string: the current server (v0.5.0+: events only to API-key or session holders, MetaRequest only, no Echo; the default); numeric: the documented one before Aug 2016 (events to all, Echo); mixed: both event forms alternately (a decoding aid, no real server)' },
    { key: 'approvalDelay', flags: '--approval-delay <duration>', kind: 'duration', min: 0, default: 150, env: false, description: 'how long one bcrypt compare of a users-api-key takes (one per approvedSocketDomains entry until one approves); the server listens only after them and a session lookup: frames before are dropped, as on the real server' },
    { key: 'session', flags: '--session <sid=username...>', kind: 'list', env: false, description: 'logged-in sessions: a SID cookie that maps to a user (string generation: that user gets their own events). Default: sid-alice=alice, sid-bob=bob' },
  ],
  filterExamples: { type: ['File*', 'Login'], match: ['data.username=alice', 'data.file.name~\\.json$'], until: 'type=FileUploaded' },
  examples: [
    'evtail webinate --url ws://localhost:8080 --origin http://localhost',
    'evtail webinate --url wss://users.example.com:8080 --origin https://app.example.com --cookie-file ~/.webinate-sid',
    'evtail webinate --url ws://localhost:8080 --api-key-file key --meta-request alice --replies-only -n 1 --timeout 15s   # smoke check',
    'evtail webinate --url ws://localhost:8080 --generation numeric --echo hello -n 1 --timeout 10s   # an old (numeric) server',
    "evtail webinate --url ws://localhost:8080 --api-key-file key --format ndjson | jq -c 'select(.type==\"FileUploaded\") | .data.file'",
  ],
  load: async () => (await import('./index.js')).default,
};
