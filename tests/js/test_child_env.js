// env replaces the child's whole environment; by default it is process.ENV
// (including changes the program made to it).
var assert = require("assert");

var given = "", inherited = "", codes = [];

var env = { ONLY_ME: "yes it is", NUMBER: 42, PATH: process.ENV.PATH };
var a = process.createChildProcess("env", [], env);
a.addListener("output", function (d) { if (d !== null) given += d; });
a.addListener("exit", function (code) { codes.push(code); });

process.ENV.TWISTED_NODE_MARK = "inherited";
var b = process.createChildProcess("sh", ["-c", "echo $TWISTED_NODE_MARK"]);
b.addListener("output", function (d) { if (d !== null) inherited += d; });
b.addListener("exit", function (code) { codes.push(code); });

assert.throws(function () { process.createChildProcess("env", [], "PATH=/bin"); }, /env must be an object/);

process.addListener("exit", function () {
  assert.deepEqual(codes, [0, 0]);
  assert.deepEqual(given.split("\n").filter(Boolean).sort(),
                   ["NUMBER=42", "ONLY_ME=yes it is", "PATH=" + process.ENV.PATH]);
  assert.equal(inherited, "inherited\n");
});
