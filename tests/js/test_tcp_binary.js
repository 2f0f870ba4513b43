// 256 byte values round-trip in "binary" (sent as an array of byte values
// and as a string), a utf8 character split across two sends arrives whole,
// and "ascii" reads bytes with the high bit cleared.
var tcp = require("tcp");
var assert = require("assert");

var allBytes = [], allChars = "";
for (var i = 0; i < 256; i++) {
  allBytes.push(i);
  allChars += String.fromCharCode(i);
}

var results = {};

var server = tcp.createServer(function (socket) {
  var got = "";
  socket.addListener("receive", function (data) {
    got += data;
    if (socket.mode === "utf8") results.utf8Chunks.push(data);
  });
  socket.addListener("eof", function () {
    // Echo what arrived back, in the encoding it was read with.
    socket.send(got, socket.mode === "utf8" ? "utf8" : "binary");
    socket.close();
  });
  socket.addListener("close", function () {
    connections--;
    if (connections === 0) server.close();
  });
  var which = order.shift();
  socket.mode = which;
  socket.setEncoding(which === "ascii" ? "ascii" : which === "utf8" ? "utf8" : "binary");
});
var connections = 3;
var order = ["array", "utf8", "ascii"];
results.utf8Chunks = [];
server.listen(0, "127.0.0.1");

function client(name, onConnect, check) {
  var c = tcp.createConnection(server.port, "127.0.0.1");
  var got = "";
  c.setEncoding("binary");
  c.addListener("connect", function () { onConnect(c); });
  c.addListener("receive", function (data) { got += data; });
  c.addListener("close", function (had_error) {
    assert.equal(had_error, false);
    check(got);
    results[name] = true;
    next();
  });
}

var steps = [
  function () {
    client("array", function (c) {
      assert.equal(c.send(allBytes), true);
      c.send(allChars, "binary");
      c.close();
    }, function (got) {
      assert.equal(got.length, 512);
      assert.equal(got, allChars + allChars);
    });
  },
  function () {
    client("utf8", function (c) {
      c.setNoDelay(true);
      c.send("\u00e2\u0082", "binary"); // first two bytes of the euro sign
      setTimeout(function () {
        c.send("\u00ac", "binary"); // its last byte
        c.close();
      }, 50);
    }, function (got) {
      assert.equal(got, "\u00e2\u0082\u00ac"); // the euro sign's three bytes
    });
  },
  function () {
    client("ascii", function (c) {
      c.send([0xC1, 0x62]);
      c.close();
    }, function (got) {
      assert.equal(got, "Ab");
    });
  }
];

function next() {
  var step = steps.shift();
  if (step) step();
}
next();

process.addListener("exit", function () {
  assert.ok(results.array && results.utf8 && results.ascii, JSON.stringify(results));
  assert.deepEqual(results.utf8Chunks, ["\u20ac"]);
});
