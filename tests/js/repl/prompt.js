// repl.start(prompt) with stdin and stdout on pipes: the prompt is written
// all the same, as in Node v0.1 (ARGV[2]: the prompt; none: the default).
require("repl").start(process.ARGV[2]);
