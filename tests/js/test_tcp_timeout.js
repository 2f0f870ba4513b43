// setTimeout: "timeout" then "close" after the idle time; activity postpones
// it; 0 disables it (the default is 60000 ms). No time is measured here, and
// the margins are wide (a send every 50 ms against 500 ms), so that a loaded
// machine does not make it fail; tests/test_tcp_protocol.py checks the
// timer's arithmetic on a task.Clock.
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
idle.addListener("connect", function () { events.push("connect"); });
idle.addListener("timeout", function () { events.push("timeout"); });
idle.addListener("close", function (had_error) {
  events.push("close");
  assert.equal(had_error, false);
  assert.equal(idle.readyState, "closed");
  busyClient();
});

// 2. A client that sends every 50 ms for 1 s (twice its 500 ms timeout),
//    then disables the timeout and stays idle for 750 ms before it closes.
var busyTimeouts = 0, busyClosed = false;
function busyClient() {
  var busy = tcp.createConnection(server.port);
  busy.setTimeout(500);
  busy.addListener("timeout", function () { busyTimeouts++; });
  busy.addListener("connect", function () {
    var n = 0;
    var timer = setInterval(function () {
      busy.send(".");
      if (++n === 20) {
        clearInterval(timer);
        busy.setTimeout(0);
        setTimeout(function () { busy.close(); }, 750);
      }
    }, 50);
  });
  busy.addListener("eof", function () { busy.close(); });
  busy.addListener("close", function () { busyClosed = true; });
}

process.addListener("exit", function () {
  assert.deepEqual(events, ["connect", "timeout", "close"]);
  assert.equal(busyTimeouts, 0);
  assert.ok(busyClosed);
});
