import type { ProviderSpec } from '../spec.js';

/** `evtail ws <url>`: any WebSocket endpoint. JSON object frames become envelopes; other frames are kept as text. */
export const wsSpec: ProviderSpec = {
  name: 'ws',
  summary: 'any WebSocket endpoint: JSON frames become events, other frames are kept as text',
  urlArgument: true,
  noMock: true,
  decodingOptions: ['typePath'],
  options: [
    { key: 'header', flags: '--header <k:v...>', kind: 'list', description: "extra HTTP header on the upgrade request, 'Name: value' (repeatable); Authorization, Cookie, *-key and *token* values are redacted" },
    { key: 'subprotocol', flags: '--subprotocol <name...>', kind: 'list', description: 'WebSocket subprotocol(s) to offer (Sec-WebSocket-Protocol)' },
    { key: 'send', flags: '--send <text...>', kind: 'list', env: false, description: 'text frame to send on every open, in order (repeatable; no environment variable: a comma would split it)' },
    { key: 'stdin', flags: '--stdin', kind: 'boolean', env: false, description: 'send each line typed (or piped) on stdin as a text frame, like wscat; at a terminal, a prompt that incoming frames do not break into' },
    { key: 'pingInterval', flags: '--ping-interval <duration>', kind: 'duration', min: 10, description: 'send a WebSocket ping this often; a missing pong by the next ping is a dead link (default: off)' },
    { key: 'typePath', flags: '--type-path <path>', kind: 'string', description: "dotted path of the event type in a JSON frame (default: 'type', then 'event', then 'op')" },
  ],
  mockOptions: [],
  filterExamples: { type: ['trade', 'ticker*'], match: ['data.amount>100', 'data.pair=XBT/USD'], until: 'type=trade' },
  examples: [
    'evtail ws wss://stream.example.com/feed',
    "evtail ws wss://ws.kraken.com --send '{\"event\":\"subscribe\",\"pair\":[\"XBT/USD\"],\"subscription\":{\"name\":\"ticker\"}}'",
    'evtail ws wss://api.example.com/ws --header "Authorization: Bearer $TOKEN" --ping-interval 20s --type-path data.kind',
    'evtail ws ws://localhost:8080/chat --stdin                   # type a line, Enter: it is sent as a frame',
    "evtail ws ws://localhost:8080 --subprotocol graphql-transport-ws --send '{\"type\":\"connection_init\"}' -o ndjson | jq -c .data",
  ],
  load: async () => (await import('./index.js')).default,
};
