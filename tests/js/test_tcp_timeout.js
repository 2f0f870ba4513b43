// setTimeout: "timeout" then "close" after the idle time; activity postpones
// it; 0 disables it (the default is 60000 ms).
var tcp = require("tcp");
var assert = require("assert");

var events = [], serverSide = [];
var server = tcp.createServer(function (socket) {
  socket.setTimeout(0); // the server side never times out
  socket.addListener("eof", function () { socket.close(); });
  socket.addListener("close", function () {
    serverSide.push("close");
    if (serverSide.length === 2) server.close();
  });
});
server.listen(0, "127.0.0.1");

// 1. An idle client with a 100 ms timeout.
var idle = tcp.createConnection(server.port);
idle.setTimeout(100);
var started = new Date();
idle.addListener("connect", function () { events.push("connect"); });
idle.addListener("timeout", function () {
  events.push("timeout");
  assert.ok(new Date() - started >= 90, "timed out too early");
});
idle.addListener("close", function (had_error) {
  events.push("close");
  assert.equal(had_error, false);
  assert.equal(idle.readyState, "closed");
  busyClient();
});

// 2. A client that sends every 30 ms for 300 ms with a 150 ms timeout, then
//    disables it and closes by itself.
var busyTimeouts = 0, busyClosed = false;
function busyClient() {
  var busy = tcp.createConnection(server.port);
  busy.setTimeout(150);
  busy.addListener("timeout", function () { busyTimeouts++; });
  busy.addListener("connect", function () {
    var n = 0;
    var timer = setInterval(function () {
      busy.send(".");
      if (++n === 10) {
        clearInterval(timer);
        busy.setTimeout(0);
        setTimeout(function () { busy.close(); }, 250);
      }
    }, 30);
  });
  busy.addListener("eof", function () { busy.close(); });
  busy.addListener("close", function () { busyClosed = true; });
}

process.addListener("exit", function () {
  assert.deepEqual(events, ["connect", "timeout", "close"]);
  assert.equal(busyTimeouts, 0);
  assert.ok(busyClosed);
});
