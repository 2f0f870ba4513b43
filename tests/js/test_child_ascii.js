// child.write(string) without an encoding writes "ascii", the manual's
// default: one byte per char, its low 8 bits ("\u00e9" -> 0xE9, "\u20ac" ->
// 0xAC), not UTF-8. od(1) shows the bytes the child read, in hex.
var assert = require("assert");

var out = "", code = null;
var od = process.createChildProcess("od", ["-An", "-tx1"]);
od.addListener("output", function (data) { if (data !== null) out += data; });
od.addListener("exit", function (c) { code = c; });
od.write("caf\u00e9 \u20ac");
od.close();

process.addListener("exit", function () {
  assert.equal(code, 0);
  assert.equal(out.replace(/\s+/g, " ").trim(), "63 61 66 e9 20 ac");
});
