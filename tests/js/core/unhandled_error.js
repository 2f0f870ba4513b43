// Promise errors nobody listens for, as Node v0.1.22 dropped them: the program
// goes on and exits 0; each is named on one line of stderr. One fails with an
// Error, one with plain values, one by its timeout().
var sys = require("sys");
process.addListener("exit", function (code) { sys.puts("exit " + code); });
var p = new process.Promise();
setTimeout(function () { p.emitError(new Error("nobody listened")); }, 1);
var values = new process.Promise();
setTimeout(function () { values.emitError(404, "not\nfound"); }, 2);
new process.Promise().timeout(3);
setTimeout(function () { sys.puts("still running"); }, 30);
