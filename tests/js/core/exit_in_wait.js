// process.exit(3) from a callback that runs while the main module waits:
// the wait does not return, the program ends with 3.
var sys = require("sys");
process.addListener("exit", function (c) { sys.puts("exit " + c); });
setTimeout(function () { process.exit(3); }, 5);
var p = new process.Promise();
setTimeout(function () { p.emitSuccess(1); }, 1000);
p.wait();
sys.puts("after wait - should not print");
