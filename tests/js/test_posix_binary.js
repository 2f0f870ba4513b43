// The three encodings: a file of all 256 byte values written and read back
// byte for byte ("binary"), "ascii" reads, and "utf8" byte counts.
var posix = require("posix"),
    assert = require("assert"),
    scratch = require("./posix/scratch");

var dir = scratch.make("binary");
var allBytes = "", byteArray = [];
for (var i = 0; i < 256; i++) {
  allBytes += String.fromCharCode(i);
  byteArray.push(255 - i);
}
var checks = 0;

function openRW(path) {
  return posix.open(path, process.O_CREAT | process.O_RDWR | process.O_TRUNC, 0600);
}

// All byte values as a "binary" string (the default encoding of write/read).
openRW(dir + "/bytes").addCallback(function (fd) {
  posix.write(fd, allBytes, 0).addCallback(function (written) {
    assert.equal(256, written);
    posix.read(fd, 1000, 0, "binary").addCallback(function (data, bytesRead) {
      assert.equal(256, bytesRead);
      assert.equal(allBytes.length, data.length);
      assert.ok(allBytes === data, "binary read gives every byte back");
      posix.read(fd, 1, 200).addCallback(function (data) {
        assert.equal(String.fromCharCode(200), data);
        // "ascii" clears the high bit of each byte
        posix.read(fd, 2, 0xC1, "ascii").addCallback(function (data, bytesRead) {
          assert.equal(2, bytesRead);
          assert.equal(String.fromCharCode(0x41, 0x42), data);
          posix.close(fd);
          posix.cat(dir + "/bytes", "binary").addCallback(function (content) {
            assert.ok(allBytes === content, "cat binary gives every byte back");
            assert.equal(256, posix.statSync(dir + "/bytes").size);
            checks++;
          });
        });
      });
    });
  });
});

// The same bytes given as an array of byte values (written as "binary").
openRW(dir + "/array").addCallback(function (fd) {
  posix.write(fd, byteArray, null, "utf8").addCallback(function (written) {
    assert.equal(256, written);
    posix.close(fd).addCallback(function () {
      posix.cat(dir + "/array", "binary").addCallback(function (content) {
        for (var i = 0; i < 256; i++) assert.equal(byteArray[i], content.charCodeAt(i), "byte " + i);
        checks++;
      });
    });
  });
});

// "ascii" and "binary" writes keep the low 8 bits of each character.
openRW(dir + "/low").addCallback(function (fd) {
  posix.write(fd, "A\u0142\u20ac", 0, "ascii").addCallback(function (written) {
    assert.equal(3, written);
    posix.read(fd, 3, 0, "binary").addCallback(function (data) {
      assert.equal("A\u0042\u00ac", data);
      posix.close(fd);
      checks++;
    });
  });
});

// "utf8" counts bytes; cat decodes (utf8 by default).
var text = "h\u00e9llo \u20ac \u4e2d\u6587";
openRW(dir + "/text").addCallback(function (fd) {
  posix.write(fd, text, null, "utf8").addCallback(function (written) {
    assert.equal(17, written);
    posix.read(fd, 100, 0, "utf8").addCallback(function (data, bytesRead) {
      assert.equal(text, data);
      assert.equal(17, bytesRead);
      posix.close(fd);
      posix.cat(dir + "/text").addCallback(function (content) {
        assert.equal(text, content);
        posix.cat(dir + "/text", "binary").addCallback(function (raw) {
          assert.equal(17, raw.length);
          assert.equal("h\u00c3\u00a9llo \u00e2\u0082\u00ac ", raw.slice(0, 11));
          checks++;
        });
      });
    });
  });
});

process.addListener("exit", function () {
  assert.equal(4, checks);
});
