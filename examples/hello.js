// The smallest program: modules, timers, promises and process "exit".
var sys = require("sys");

sys.puts("Hello from " + process.ARGV[1] + " on " + process.platform);

var promise = new process.Promise();
promise.addCallback(function (greeting) {
  sys.puts(greeting + " (after 10 ms)");
});
setTimeout(function () {
  promise.emitSuccess("Hello, timers");
}, 10);

process.addListener("exit", function (code) {
  sys.puts("exit with status " + code);
});
