// wait() inside a timer callback, then inside a promise callback, on a promise
// nothing can fire: it must throw a clear Error (as it does from the main
// module), not spin forever.
var sys = require("sys");

function waitOnNothing(where) {
  var error = null;
  try { new process.Promise().wait(); } catch (e) { error = e; }
  sys.puts(where + (error ? " threw: " + error.message : " returned"));
}

setTimeout(function () {
  waitOnNothing("timer");
  require("posix").stat("/").addCallback(function () { waitOnNothing("promise"); });
}, 1);
