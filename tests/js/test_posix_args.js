// Wrong arguments throw at once (no promise), with a message that names the
// argument; the Sync variants check the same way.
var posix = require("posix"),
    assert = require("assert");

var checked = 0;

function throwsNaming(ErrorType, call, args, argument) {
  [call, call + "Sync"].forEach(function (name) {
    var returned, error = null;
    try {
      returned = posix[name].apply(posix, args);
    } catch (e) {
      error = e;
    }
    assert.ok(error !== null, name + "(" + JSON.stringify(args) + ") throws; returned " + returned);
    assert.ok(error instanceof ErrorType, name + ": " + error);
    assert.ok(error.message.indexOf(argument) >= 0,
              name + ": the message names " + argument + ": " + error.message);
    checked++;
  });
}

throwsNaming(TypeError, "rename", [1, "/tmp/x"], "path1");
throwsNaming(TypeError, "rename", ["/tmp/x"], "path2");
throwsNaming(TypeError, "stat", [], "path");
throwsNaming(TypeError, "stat", [{}], "path");
throwsNaming(TypeError, "lstat", [null], "path");
throwsNaming(TypeError, "unlink", [42], "path");
throwsNaming(TypeError, "rmdir", [["/tmp"]], "path");
throwsNaming(TypeError, "mkdir", [undefined, 0755], "path");
throwsNaming(TypeError, "mkdir", ["/tmp/x", "0755"], "mode");
throwsNaming(TypeError, "readdir", [true], "path");
throwsNaming(TypeError, "open", [3, process.O_RDONLY], "path");
throwsNaming(TypeError, "open", ["/tmp/x"], "flags");
throwsNaming(TypeError, "open", ["/tmp/x", "rw"], "flags");
throwsNaming(TypeError, "open", ["/tmp/x", process.O_RDONLY, "0644"], "mode");
throwsNaming(TypeError, "close", ["3"], "fd");
throwsNaming(TypeError, "close", [1.5], "fd");
throwsNaming(RangeError, "close", [-1], "fd");
throwsNaming(RangeError, "close", [Math.pow(2, 40)], "fd");
throwsNaming(RangeError, "chmod", ["/tmp/x", Math.pow(2, 33)], "mode");
throwsNaming(TypeError, "open", ["/tmp/x", Math.pow(2, 40)], "flags");
throwsNaming(TypeError, "truncate", [1.5], "path or fd");
throwsNaming(TypeError, "write", [null, "data", null], "fd");
throwsNaming(TypeError, "write", [1, 12, null], "data");
throwsNaming(TypeError, "write", [1, {}, null], "data");
throwsNaming(TypeError, "write", [1, [1, 2, 300], null], "data[2]");
throwsNaming(TypeError, "write", [1, "data", "0"], "position");
throwsNaming(RangeError, "write", [1, "data", -5], "position");
throwsNaming(TypeError, "write", [1, "data", null, 8], "encoding");
throwsNaming(Error, "write", [1, "data", null, "klingon"], "encoding");
throwsNaming(TypeError, "read", [1, "10", 0], "length");
throwsNaming(RangeError, "read", [1, -10, 0], "length");
throwsNaming(TypeError, "read", [1, 10, {}], "position");
throwsNaming(Error, "read", [1, 10, 0, "ebcdic"], "encoding");
throwsNaming(TypeError, "cat", [], "filename");
throwsNaming(TypeError, "cat", ["/etc/hostname", []], "encoding");
throwsNaming(Error, "cat", ["/etc/hostname", "utf16"], "encoding");
throwsNaming(TypeError, "chmod", ["/tmp/x"], "mode");
throwsNaming(TypeError, "symlink", ["/tmp/x"], "path");
throwsNaming(TypeError, "readlink", [7], "path");
throwsNaming(TypeError, "truncate", [{}, 0], "path or fd");
throwsNaming(TypeError, "truncate", ["/tmp/x", "0"], "length");

assert.equal(82, checked);
// Nothing was started, so nothing keeps the program alive: it exits now.
