// Writes LINES numbered lines (about 10 MB by default) through sys.puts,
// sys.print and process.stdio.write, interleaved, then exits at once: every
// byte must still arrive, in order.
var sys = require("sys");
var LINES = Number(process.ARGV[2] || 200000);
var pad = "................................................";

for (var i = 0; i < LINES; i++) {
  var line = "line " + i + " " + pad;
  if (i % 3 === 0) sys.puts(line);
  else if (i % 3 === 1) sys.print(line + "\n");
  else process.stdio.write(line + "\n");
}
process.exit(0);
