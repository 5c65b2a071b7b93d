/** The library API: `import { tail } from 'evtail'`. The command line is bin/evtail.js. */
export { tail, type TailControl, type TailIterable, type TailOptions, type TailResult } from './library.js';
export { EvtailError, ExitCode, AuthError, ConnectionError, TimeoutError, UsageError } from './errors.js';
export type { TailEvent } from './types.js';
