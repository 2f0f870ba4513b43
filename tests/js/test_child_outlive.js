// A child never outlives the program that started it: process.exit while
// a child runs terminates the child.
var assert = require("assert");

var out = "", code = null, gone = null;
var runtime = process.createChildProcess(process.execPath,
                                         ["-m", "twisted_node", "proc/exit_with_child.js"]);
runtime.addListener("output", function (d) { if (d !== null) out += d; });
runtime.addListener("exit", function (c) {
  code = c;
  var pid = parseInt(out, 10);
  var tries = 0;
  // bounded: SIGTERM was sent before the program ended, so it goes quickly
  (function probe() {
    try {
      process.kill(pid, 0);
    } catch (e) {
      gone = true;
      return;
    }
    if (++tries < 100) setTimeout(probe, 50);
    else gone = false;
  })();
});

process.addListener("exit", function () {
  assert.equal(code, 0);
  assert.ok(/^\d+\n$/.test(out), out);
  assert.strictEqual(gone, true, "the sleep child survived its program");
});
