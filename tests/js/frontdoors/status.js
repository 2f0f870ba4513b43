// Ends by itself after a timer, with the status given as ARGV[2] (default 0),
// after printing its arguments.
var sys = require("sys");
sys.puts("args " + JSON.stringify(process.ARGV.slice(2)));
setTimeout(function () {
  var code = process.ARGV.length > 2 ? parseInt(process.ARGV[2], 10) : 0;
  if (code) process.exit(code);
}, 20);
