// An uncaught exception in a callback: the stack (path:line:column) goes to
// stderr, "exit" is still emitted (with 1), the status is 1.
var sys = require("sys");
process.addListener("exit", function (code) { sys.puts("exit " + code); });
setTimeout(function () { sys.puts("not reached"); }, 60000);
function thrower() {
  throw new Error("deliberate failure");
}
setTimeout(function () { thrower(); }, 1);
