// Stays alive (an interval) until the host stops it; records "exit" in the
// global the embedding test reads back.
var ticks = 0;
GLOBAL.marker = "server.js";
setInterval(function () { ticks++; }, 5);
process.addListener("exit", function (code) { GLOBAL.exitedWith = code; });
