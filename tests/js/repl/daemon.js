// A daemon-like program for the --repl-port tests: a global to inspect, a
// module variable exposed through repl.scope, and a timer that keeps it
// running until stop() is called from a REPL session.
var repl = require("repl");

served = 41;

var secret = "from the module scope";
repl.scope.secret = secret;

var keepAlive = setInterval(function () {}, 60000);

stop = function () {
  clearInterval(keepAlive);
  return "stopping";
};
