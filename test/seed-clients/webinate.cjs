// The two JavaScript examples from the Webinate users server's socket document (seed 004), joined into one
// script and kept as published except:
//  - the URL comes from the environment (URL), default as published;
//  - `wsClient..on` (a typo in the document) is `wsClient.on`;
//  - the Echo is sent from the 'open' handler: as published it is sent right after `new ws(...)`, while the
//    socket is still connecting, and ws throws "WebSocket is not open";
//  - it closes the socket once the echo is back, so the script exits.
var ws = require('ws');

// This URL is based on the host & port of your config
var socketUrl = process.env.URL || "ws://localhost:8020";

// Make sure the origin is set, and added to the approvedSocketDomains of the users config
wsClient = new ws( socketUrl, { headers: { origin: "trusted-host" } });

wsClient.on('open', function () {
    // The connection has been opened
    wsClient.send(JSON.stringify({ eventType: 10, message : "Hello world?" })) // moved here from below (see top)
});

wsClient.on('error', function (err) {
    // Something went wrong
});

wsClient.on('close', function () {
    // The connection has been closed
});

wsClient.on('message', function (data) {
    // The server sent you an event
    var event = JSON.parse(data);

    // Do something based on the event type:
    event.eventType;
});

wsClient.on('message', function (data) {

    // The server sent you an event
    var echoEvent = JSON.parse(data);

    // Do something based on the event type:
    if ( echoEvent.eventType === 10 ) {
        console.log('We got an echo: ' + echoEvent.message );
        wsClient.close(); // added: exit once the echo is back
    }
});
