// process.exit(4) from inside a timer callback, with another timer pending.
var sys = require("sys");
process.addListener("exit", function (code) { sys.puts("exit " + code); });
setTimeout(function () { sys.puts("never"); }, 60000);
setTimeout(function () {
  sys.puts("callback");
  process.exit(4);
  sys.puts("after exit in callback");
}, 1);
process.nextTick(function () { sys.puts("tick"); });
