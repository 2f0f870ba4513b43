var sys = require("sys");
sys.puts(typeof process.workerId);
