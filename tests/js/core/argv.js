// Prints what the trial test compares with what it started.
var sys = require("sys");
sys.puts(JSON.stringify({
  argv: process.ARGV, pid: process.pid, mark: process.ENV.TN_CORE_MARK, cwd: process.cwd(),
  filename: __filename
}));
