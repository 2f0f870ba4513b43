// Opens stdin, and closes it after the first chunk: the program must then end
// (stdio.close() releases it) although the writer never closes its end.
var stdio = process.stdio;
stdio.open();
stdio.addListener("data", function (data) {
  stdio.write("got " + data.length + "\n");
  stdio.close();
});
stdio.addListener("close", function () { stdio.write("close event\n"); });
process.addListener("exit", function () { stdio.write("exit\n"); });
