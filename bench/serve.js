#!/usr/bin/env node
/**
 * The bench server on its own, for profiling a client by hand (after `npm run build`):
 *   node bench/serve.js [events] [bytes] &   # prints the ws:// URL, serves every connection the same N events
 *                                            # of about that size (default 600; 10240 for the 10 KB events)
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bin/evtail.js tweetcatcher --url <url> --token x -o ndjson > /dev/null
 * Stops on Ctrl-C / SIGTERM, or by itself after BENCH_SERVE_SECONDS (default 600).
 */
import { makeFrames } from './events.js';
import { startBenchServer } from './server.js';

const n = Number(process.argv[2] ?? process.env.BENCH_EVENTS ?? 100_000);
const { frames } = await makeFrames(n, Number(process.argv[3] ?? 600));
const server = await startBenchServer({ frames });
process.stdout.write(`${server.url}\n`);
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setTimeout(stop, Number(process.env.BENCH_SERVE_SECONDS ?? 600) * 1000).unref();
// Keep serving: every connection gets the whole stream.
const loop = async () => {
  for (;;) {
    const rec = await server.nextConnection();
    await rec.closed;
    process.stderr.write(`served ${n} events in ${(rec.lastEventWrittenAt - rec.firstEventAt).toFixed(0)} ms of writing, closed after ${(rec.closedAt - rec.firstEventAt).toFixed(0)} ms\n`);
  }
};
void loop();
