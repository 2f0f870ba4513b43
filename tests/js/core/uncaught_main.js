// Thrown straight from the main module, and not an Error: still reported,
// "exit" still emitted, status 1.
var sys = require("sys");
process.addListener("exit", function (code) { sys.puts("exit " + code); });
sys.puts("start");
throw "a plain string";
