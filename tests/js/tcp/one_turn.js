// The server of tests/test_tcp_turn.py: the "eof" and "close" events of a
// reactor turn go up to JS together (bindings/tcp_events.py); each must
// still be handled as if it had come alone. Prints {"port": N}.
//
// A client names itself (it is answered "hi NAME\n"), then ends its side;
// the server's "eof" listener answers by name and closes:
//   throw     answers, then throws (counted by "uncaughtException")
//   tick-ID   logs "eof ID", answers and closes from a process.nextTick,
//             which logs "tick ID": each tick runs before the next event
//   wait      wait()s for the promise that "releaser" fulfils (or a "release"
//             line on another connection), then answers "waited"
//   releaser  fulfils it, answers "released"
//   other     "private data for NAME"
// and the "close" listener logs "close NAME". Lines on any connection:
//   busy N    spins N ms (what clients do meanwhile comes in one turn),
//             answers "busy"
//   release   fulfils the promise "wait" waits for
//   log       answers the log and the count of throws
//   refuse    from now on, every other new connection's "connection"
//             listener throws (the first one's after this does)
var tcp = require("tcp"), sys = require("sys");

var log = [], throws = 0, released = new process.Promise(), refusing = false, accepted = 0;
process.addListener("uncaughtException", function () { throws++; });

function release() {
  if (!released.hasFired) released.emitSuccess();
}

var server = tcp.createServer(function (socket) {
  if (refusing && accepted++ % 2 === 0) throw new Error("refused on purpose");
  var name = null;
  socket.setEncoding("binary");
  socket.addListener("receive", function (data) {
    var line = data.replace(/\n$/, ""), words = line.split(" ");
    if (words[0] === "busy") {
      var until = Date.now() + Number(words[1]);
      while (Date.now() < until) {}
      socket.send("busy\n");
    } else if (line === "release") {
      release();
      socket.send("released\n");
    } else if (line === "refuse") {
      refusing = true;
      socket.send("refusing\n");
    } else if (line === "log") {
      socket.send(log.join(",") + ";" + throws + "\n");
    } else {
      name = line;
      socket.send("hi " + name + "\n");
    }
  });
  socket.addListener("eof", function () {
    if (name === "throw") {
      socket.send("thrown\n");
      socket.close();
      throw new Error("thrown on purpose");
    } else if (name !== null && name.indexOf("tick-") === 0) {
      var id = name.slice(5);
      log.push("eof " + id);
      process.nextTick(function () {
        log.push("tick " + id);
        socket.send("tick " + id + "\n");
        socket.close();
      });
      return;
    } else if (name === "wait") {
      released.wait();
      socket.send("waited\n");
    } else if (name === "releaser") {
      release();
      socket.send("released\n");
    } else {
      socket.send("private data for " + name + "\n");
    }
    socket.close();
  });
  socket.addListener("close", function () {
    if (name !== null && name.indexOf("tick-") === 0) log.push("close " + name.slice(5));
  });
});
server.listen(0, "127.0.0.1");
sys.puts(JSON.stringify({port: server.port}));
