// A promise error nobody listens for does not vanish: it is an uncaught exception.
var sys = require("sys");
process.addListener("exit", function (code) { sys.puts("exit " + code); });
var p = new process.Promise();
setTimeout(function () { p.emitError(new Error("nobody listened")); }, 1);
