// Copies stdin to stdout through process.stdio (open/"data"/"close"/write),
// then reports on stderr how many chars it read and how many "data" events.
// ARGV[2]: the encoding to open stdin with (default: open()'s own, utf8).
var stdio = process.stdio;
var chars = 0, chunks = 0;

if (process.ARGV[2]) stdio.open(process.ARGV[2]);
else stdio.open();

stdio.addListener("data", function (data) {
  chunks++;
  chars += data.length;
  stdio.write(data, process.ARGV[2] || "utf8");
});
stdio.addListener("close", function () {
  stdio.writeError("chars " + chars + " chunks " + chunks + "\n");
});
