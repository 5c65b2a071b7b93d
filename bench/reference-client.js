#!/usr/bin/env node
/**
 * The practical limit for a Node client: ws, JSON.parse, JSON.stringify of evtail's envelope, one write per event,
 * and stdout backpressure (pause the socket until 'drain'). No login, no heartbeat, no reconnect, no filters.
 * Usage: node bench/reference-client.js ws://127.0.0.1:PORT/websocket
 */
import WebSocket from 'ws';

const ws = new WebSocket(process.argv[2], { perMessageDeflate: false });
const out = process.stdout;
let paused = false;
const resume = () => {
  paused = false;
  ws.resume();
};
ws.on('message', (data, isBinary) => {
  if (isBinary) return;
  const frame = JSON.parse(data.toString('utf8'));
  if (frame.op !== 0) return;
  const d = frame.d;
  const line = JSON.stringify({ time: new Date().toISOString(), provider: 'tweetcatcher', type: d.event, id: String(d.event_id), data: d });
  // ws still delivers the rest of the chunk it is parsing after pause(): wait for one 'drain' only.
  if (!out.write(line + '\n') && !paused) {
    paused = true;
    ws.pause();
    out.once('drain', resume);
  }
});
ws.on('error', (err) => {
  process.stderr.write(`reference-client: ${err.message}\n`);
  process.exitCode = 5;
});
// Exit when the server closes (1000) and stdout has drained: nothing keeps the event loop alive after that.
ws.on('close', (code) => {
  if (code !== 1000) process.exitCode = 5;
});
