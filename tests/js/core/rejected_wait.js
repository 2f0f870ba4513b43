// wait() on a promise that fails, uncaught: status 1, the error on stderr.
var sys = require("sys");
process.addListener("exit", function (code) { sys.puts("exit " + code); });
var p = new process.Promise();
setTimeout(function () { p.emitError(new Error("rejected reason")); }, 1);
p.wait();
sys.puts("not reached");
