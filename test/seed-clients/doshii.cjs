// The "Connect" JavaScript example from Doshii's App WebSocket document (seed 001), kept as published except:
// - `var btoa = require('btoa');` is dropped: the btoa package is not installed; Node has a global btoa.
// - the client id and the base URL come from the environment (CLIENT_ID, DOSHII_URL);
// - it exits after MAX_EVENTS event frames (the lines marked "evtail test:");
// - the published text ends with `}` where `});` closes addEventListener(...): fixed.
var YOUR_DOSHII_CLIENT_ID = process.env.CLIENT_ID || 'YOUR_DOSHII_CLIENT_ID'; // evtail test: from the environment
var maxEvents = Number(process.env.MAX_EVENTS || 3); // evtail test
var seen = 0; // evtail test

// "ws" WebSocket library or similar required https://github.com/websockets/ws
// var btoa = require('btoa'); // evtail test: Node's global btoa instead (the btoa package is not installed)
var WebSocket = require('ws');
var authToken = btoa(YOUR_DOSHII_CLIENT_ID);
// Establish a connection to the Doshii WebSocket
var ws = new WebSocket((process.env.DOSHII_URL || 'wss://socket.sandbox.doshii.co/app/socket') + '?auth=' + authToken); // evtail test: base URL from the environment
// After you've connected to the Doshii WebSocket, you'll need to send heartbeats across
// every 30 seconds so that we know you're still listening.
ws.on('open', function(event) {
function heartbeat() {
var timestamp = Date.now();
const appVersion = '1.2.3';
const payload = JSON.stringify({
doshii: {
ping: timestamp,
version: appVersion
}
});
ws.send(payload);
}
heartbeat(); // Send one immediately to complete the handshake
setInterval(heartbeat, 30000); // Then every 30 seconds or so thereafter to keep alive
});
// Good idea to also have some error handling in there too.
ws.on('error', function(err) {
throw new Error('Doshii WebSocket error: ', err);
});
// Now that you're connected and errors handled, how about we listen for some messages from the server?
ws.addEventListener('message', function(event) {
if (!event) return;
console.log(event.type);
console.log(event.data);
if (/^\{"(emit|event)"/.test(event.data) && ++seen >= maxEvents) process.exit(0); // evtail test
}); // evtail test: the published text has `}` here
