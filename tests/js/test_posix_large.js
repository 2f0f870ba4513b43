// A 50 MB file written in 1 MB pieces and read back in chunks, byte for byte.
var posix = require("posix"),
    assert = require("assert"),
    scratch = require("./posix/scratch");

var MB = 1024 * 1024, PIECES = 50;
var path = scratch.make("large") + "/big";

// Every byte value, repeated to 1 MB; each piece starts with its own number
// so that a piece read out of order or twice is noticed.
var pattern = "";
for (var i = 0; i < 256; i++) pattern += String.fromCharCode(i);
while (pattern.length < MB) pattern += pattern;
function piece(n) {
  var label = "<" + (n + 1000000) + ">";
  return label + pattern.slice(label.length, MB);
}

var piecesRead = 0, bytesSeen = 0;

function writePieces(fd, n, done) {
  if (n === PIECES) return done();
  posix.write(fd, piece(n), null).addCallback(function (written) {
    assert.equal(MB, written);
    writePieces(fd, n + 1, done);
  });
}

function readPieces(fd) {
  posix.read(fd, MB, null).addCallback(function (data, bytesRead) {
    if (bytesRead === 0) {
      assert.equal("", data);
      posix.close(fd);
      return;
    }
    assert.equal(MB, bytesRead);
    assert.ok(data === piece(piecesRead), "piece " + piecesRead + " comes back intact");
    piecesRead++;
    bytesSeen += bytesRead;
    readPieces(fd);
  });
}

posix.open(path, process.O_CREAT | process.O_WRONLY | process.O_TRUNC, 0600).addCallback(function (fd) {
  writePieces(fd, 0, function () {
    posix.close(fd).addCallback(function () {
      posix.stat(path).addCallback(function (stats) {
        assert.equal(PIECES * MB, stats.size);
        posix.open(path, process.O_RDONLY).addCallback(readPieces);
      });
    });
  });
});

process.addListener("exit", function () {
  assert.equal(PIECES, piecesRead);
  assert.equal(PIECES * MB, bytesSeen);
});
