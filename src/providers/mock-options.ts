/** The mock knobs every provider's mock takes. Kept apart from mock-kit.ts so --help does not load ws. */
import type { OptionSpec } from './spec.js';

/** Fault knobs and pacing understood by every mock (`evtail mock <provider> --help`). */
export const commonMockOptions: OptionSpec[] = [
  { key: 'host', flags: '--host <host>', kind: 'string', default: '127.0.0.1', env: false, description: 'interface to listen on' },
  { key: 'port', flags: '--port <port>', kind: 'int', min: 0, env: false, description: 'port to listen on (0: any free port)' },
  { key: 'rate', flags: '--rate <n>', kind: 'number', min: 0, default: 2, env: false, description: 'events per second per connection (0: as fast as the socket allows)' },
  { key: 'count', flags: '--count <n>', kind: 'int', min: 0, env: false, description: 'send n events per connection, then close normally (1000)' },
  { key: 'dropAfter', flags: '--drop-after <n>', kind: 'int', min: 0, env: false, description: 'fault: destroy the TCP connection after n events' },
  { key: 'closeAfter', flags: '--close-after <n>', kind: 'int', min: 0, env: false, description: 'fault: close with --close-code after n events' },
  { key: 'closeCode', flags: '--close-code <code>', kind: 'int', min: 1000, default: 1011, env: false, description: 'close code for --close-after' },
  { key: 'closeReason', flags: '--close-reason <text>', kind: 'string', env: false, description: 'close reason for --close-after' },
  { key: 'malformedAfter', flags: '--malformed-after <n>', kind: 'int', min: 0, env: false, description: 'fault: send one malformed frame after n events' },
  { key: 'silentAfter', flags: '--silent-after <n>', kind: 'int', min: 0, env: false, description: 'fault: stop answering heartbeats (and stop sending) after n events' },
  { key: 'binaryAfter', flags: '--binary-after <n>', kind: 'int', min: 0, env: false, description: 'fault: send one binary frame after n events' },
  { key: 'emptyAfter', flags: '--empty-after <n>', kind: 'int', min: 0, env: false, description: 'fault: send one empty frame after n events' },
  { key: 'oversizedAfter', flags: '--oversized-after <n>', kind: 'int', min: 0, env: false, description: 'fault: send one oversized event frame (--oversized-bytes) after n events' },
  { key: 'oversizedBytes', flags: '--oversized-bytes <size>', kind: 'size', min: 1, default: 17 * 1024 * 1024, env: false, description: 'size of the oversized frame (more than the client limit, 16MiB unless --max-frame-size)' },
  { key: 'downFor', flags: '--down-for <duration>', kind: 'duration', min: 0, env: false, description: 'fault: after a drop or close fault, refuse connections (HTTP 503) for this long' },
  { key: 'faulty', flags: '--faulty <n>', kind: 'int', min: 0, env: false, description: 'apply the faults to the first n connections only (default: all)' },
];

