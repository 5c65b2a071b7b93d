import { makeFrames } from './events.js';
import { startBenchServer } from './server.js';
const n = Number(process.argv[2]); const size = Number(process.argv[3]);
const { frames } = await makeFrames(n, size);
const server = await startBenchServer({ frames });
process.stdout.write(`${server.url}\n`);
setTimeout(() => process.exit(0), 600000).unref();
for (;;) { const rec = await server.nextConnection(); await rec.closed; }
