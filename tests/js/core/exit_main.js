// process.exit(3) from the main module: nothing after it runs, "exit" once with 3,
// pending timers do not keep the program alive.
var sys = require("sys");
process.addListener("exit", function (code) { sys.puts("exit " + code); });
setTimeout(function () { sys.puts("timer ran"); }, 60000);
sys.puts("before");
process.exit(3);
sys.puts("after");
