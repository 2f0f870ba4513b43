// The REPL's evaluation loop (repl.Session) driven from a program: the global
// scope, `_`, repl.scope in both directions, continuation, errors, commands.
var assert = require("assert");
var repl = require("repl");

var output = "";
var exited = 0;
var session = new repl.Session("test> ", function (text) { output += text; }, {
  interactive: true,
  onExit: function () { exited++; }
});

// What the session prints for `input` (prompts included).
function answer(input) {
  output = "";
  session.feed(input);
  return output;
}

session.showPrompt();
assert.equal("test> ", output);

assert.equal("3\ntest> ", answer("1 + 2\n"));
assert.equal("6\ntest> ", answer("_ * 2\n"));
assert.equal("test> ", answer("var fromRepl = 'global'\n"));
assert.equal("global", GLOBAL.fromRepl); // evaluated in the global scope
assert.equal("6\ntest> ", answer("_\n"));  // undefined results leave `_` alone

// A line may arrive in pieces, several lines in one piece.
assert.equal("", answer("[1, "));
assert.equal("[\n 1,\n 2\n]\ntest> 4\ntest> ", answer("2]\n2 + 2\n"));

// repl.scope: what the program puts there is visible, live, both ways.
var hidden = { count: 5 };
repl.scope.hidden = hidden;
repl.scope.count = 5;
assert.equal("5\ntest> ", answer("count\n"));
repl.scope.count = 7;
assert.equal("7\ntest> ", answer("count\n"));
assert.equal("8\ntest> ", answer("count = 8\n"));
assert.equal(8, repl.scope.count);
assert.equal("true\ntest> ", answer("hidden === require('repl').scope.hidden\n"));

// Continuation of unfinished input, and .break.
assert.equal("... ", answer("function add(a, b) {\n"));
assert.equal("... ", answer("  return a + b;\n"));
assert.equal("test> ", answer("}\n"));
assert.equal("5\ntest> ", answer("add(2, 3)\n"));
assert.equal("... ", answer("if (true) {\n"));
assert.equal("test> ", answer(".break\n"));
assert.equal("test> ", answer("\n"));

// Errors are printed and the session goes on; a SyntaxError thrown by code
// that ran is an error, not a reason to wait for more input.
assert.equal("ReferenceError: nowhere is not defined\ntest> ", answer("nowhere\n"));
assert.equal("SyntaxError: Unexpected token '}'\ntest> ", answer("}\n"));
assert.equal("SyntaxError: Unexpected end of input\ntest> ", answer("eval('(')\n"));
assert.equal("Uncaught \"a string\"\ntest> ", answer("throw 'a string'\n"));
assert.equal('{\n "a": [\n  1,\n  {\n   "b": null\n  }\n ]\n}\ntest> ', answer("({a: [1, {b: null}]})\n"));

// End of input evaluates what is pending, then leaves.
output = "";
session.feed("40 + 2");
session.end();
assert.equal("42\n\n", output);
assert.equal(1, exited);
assert.equal("", answer("1\n")); // nothing once ended

// .exit leaves at once.
var other = new repl.Session("> ", function () {}, { onExit: function () { exited++; } });
other.feed(".exit\n");
assert.equal(2, exited);
