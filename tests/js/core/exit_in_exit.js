// The loop runs dry; an "exit" listener sets the status with process.exit:
// "exit" is not emitted again (no recursion).
var sys = require("sys");
var emitted = 0;
process.addListener("exit", function (code) {
  emitted++;
  sys.puts("exit " + code + " #" + emitted);
  process.exit(5);
});
setTimeout(function () { sys.puts("timer"); }, 1);
