// The REPL (the manual's "REPL" section): repl.start(prompt) on process.stdio,
// repl.scope, and the sessions served over TCP by twistd's --repl-port.
//
// Each line is evaluated in the global scope (process.compile). A result is
// printed as sys.inspect shows it (nothing for undefined) and kept in `_`;
// an error is printed as "Name: message" and the session goes on. Input that
// stops in the middle (an open brace or parenthesis) continues on the next
// line with the "... " prompt; ".break" abandons it. ".exit", or Control+D
// on a terminal, leaves: the stdio REPL exits the program with status 0, a
// TCP session closes its connection. The end of a stdin that is not a
// terminal ends only the REPL: the program's servers keep running (a daemon
// whose stdin is /dev/null keeps serving), and the program exits, with
// status 0, once it has nothing left to do (at once for twisted-node-repl).
//
// repl.start(prompt) always writes its prompt, as Node v0.1 did, also when
// stdin and stdout are pipes. The standalone REPL (twisted-node-repl, or
// twisted-node without a script) prints no prompt when stdin is not a
// terminal, only results and errors (both on stdout), so
// `echo "1 + 1" | twisted-node-repl` prints "2" and nothing else. Under
// rlwrap stdin is a terminal: prompts are shown and rlwrap edits the lines.
var sys = require("sys");
var binding = process.binding("repl");

var GLOBAL = (0, eval)("this");
var ORIGIN = "repl-input";
var CONTINUATION = "... ";

exports.scope = {};

var exiting = false;
process.addListener("exit", function () { exiting = true; });

// repl.scope entries become globals that read and write the scope object,
// so a value the program puts there later is what the REPL sees, and an
// assignment made in the REPL is what the program sees.
var exposed = {};
function exposeScope() {
  var scope = exports.scope;
  Object.keys(scope).forEach(function (name) {
    if (exposed[name] === scope || name === "_") return;
    exposed[name] = scope;
    try {
      Object.defineProperty(GLOBAL, name, {
        get: function () { return scope[name]; },
        set: function (value) { scope[name] = value; },
        enumerable: true,
        configurable: true
      });
    } catch (e) {
      GLOBAL[name] = scope[name]; // a global declared with var cannot be replaced
    }
  });
}

// A SyntaxError thrown while compiling (not by code that ran) and saying the
// input stopped early: wait for more lines. A compile error has no frame in
// the evaluated source, an error thrown by running code does.
function isIncomplete(e) {
  return e instanceof SyntaxError &&
         /^(Unexpected end of input|Unterminated template literal)/.test(e.message) &&
         String(e.stack).indexOf("(" + ORIGIN + ":") < 0;
}

function describeError(e) {
  if (e instanceof Error || (e && typeof e === "object" && typeof e.name === "string" && "message" in e)) {
    return e.name + ": " + e.message;
  }
  return "Uncaught " + sys.inspect(e);
}

// One REPL conversation: text in through feed(), output through write(text).
// options.interactive: a person at a terminal. options.prompts: write the
// prompts (by default when interactive). options.onExit(how) is called when
// it ends: how is ".exit" or "eof".
function Session(prompt, write, options) {
  this.prompt = prompt;
  this.write = write;
  this.interactive = !!(options && options.interactive);
  this.prompts = options && options.prompts !== undefined ? !!options.prompts : this.interactive;
  this.onExit = (options && options.onExit) || function () {};
  this.buffered = null;   // the lines of an unfinished input
  this.partial = "";      // text after the last newline
  this.last = undefined;  // this session's `_`
  this.ended = false;
}
exports.Session = Session;

Session.prototype.showPrompt = function () {
  if (this.prompts && !this.ended) this.write(this.buffered === null ? this.prompt : CONTINUATION);
};

Session.prototype.feed = function (text) {
  var lines = (this.partial + text).split("\n");
  this.partial = lines.pop();
  for (var i = 0; i < lines.length && !this.ended; i++) {
    this.line(lines[i].replace(/\r$/, ""));
    this.showPrompt();
  }
};

// End of input: whatever is pending is evaluated as it is.
Session.prototype.end = function () {
  if (this.ended) return;
  if (this.partial !== "") {
    var rest = this.partial;
    this.partial = "";
    this.line(rest);
    if (this.ended) return; // it was ".exit"
  }
  if (this.buffered !== null) {
    var source = this.buffered;
    this.buffered = null;
    this.evaluate(source, true);
  }
  if (this.interactive) this.write("\n");
  this.ended = true;
  this.onExit("eof");
};

Session.prototype.line = function (line) {
  var command = line.trim();
  if (command === ".break") {
    this.buffered = null;
  } else if (command === ".exit") {
    this.buffered = null;
    this.ended = true;
    this.onExit(".exit");
  } else if (this.buffered !== null) {
    this.evaluate(this.buffered + "\n" + line, false);
  } else if (command !== "") {
    this.evaluate(line, false);
  }
};

Session.prototype.evaluate = function (source, final) {
  exposeScope();
  GLOBAL._ = this.last;
  var value;
  try {
    value = process.compile(source, ORIGIN);
  } catch (e) {
    if (exiting) throw e; // process.exit() typed at the prompt: let it through
    if (!final && isIncomplete(e)) {
      this.buffered = source;
      return;
    }
    this.buffered = null;
    this.write(describeError(e) + "\n");
    return;
  }
  this.buffered = null;
  if (value !== undefined) {
    this.last = GLOBAL._ = value;
    this.write(sys.inspect(value) + "\n");
  }
};

// The REPL on process.stdio, beside whatever the program runs.
exports.start = function (prompt) {
  return startOnStdio(prompt, true);
};

// twisted-node-repl, and twisted-node without a script (cli.py).
exports._startStandalone = function () {
  return startOnStdio("node> ", binding.isatty(0));
};

function startOnStdio(prompt, prompts) {
  if (prompt === undefined || prompt === null) prompt = "node> ";
  var stdio = process.stdio;
  var interactive = binding.isatty(0);
  var session = new Session(String(prompt), function (text) { stdio.write(text); }, {
    interactive: interactive,
    prompts: prompts,
    onExit: function (how) {
      // The end of a pipe or of /dev/null (a daemon) only ends the REPL:
      // the program runs on while it has work, and exits when it has none.
      if (how === "eof" && !interactive) return;
      process.exit(0);
    }
  });
  stdio.addListener("data", function (text) { session.feed(text); });
  stdio.addListener("close", function () { session.end(); });
  stdio.open("utf8");
  session.showPrompt();
  return session;
}

// TCP sessions (twisted_node/bindings/repl.py): one Session per connection,
// by the number the binding's events give it, until the connection is gone.
var OPEN = binding.OPEN, DATA = binding.DATA, EOF = binding.EOF, END = binding.END;
var sessions = {};
binding.init(internal("events").handler(function (id, code, text) {
  var session = sessions[id];
  if (code === OPEN) {
    sessions[id] = session = new Session("node> ", function (out) { binding.send(id, out); }, {
      interactive: true,
      onExit: function () { binding.hangup(id); }
    });
    session.showPrompt();
  } else if (session && code === DATA) {
    session.feed(text);
  } else if (session && code === EOF) {
    session.end();
  } else if (session && code === END) {
    delete sessions[id];
    session.ended = true; // the peer is gone: nothing more to evaluate or print
  }
}));
