// A program that never requires "repl": --repl-port loads it on demand.
answer = 42;
setInterval(function () {}, 60000);
