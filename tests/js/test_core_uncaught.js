// With an "uncaughtException" listener, exceptions that reach the event loop
// go to it and the program carries on (and ends with status 0). Thrown here
// from the main module itself, from a timer, from a nextTick callback and
// from an event listener called by a timer.
var assert = require("assert");

var caught = [];
process.addListener("uncaughtException", function (e) { caught.push(e); });

var later = false;
setTimeout(function () { later = true; }, 5);
setTimeout(function () { throw new RangeError("from a timer"); }, 1);
process.nextTick(function () { throw "from nextTick"; });
var emitter = new process.EventEmitter();
emitter.addListener("go", function () { throw new TypeError("from a listener"); });
setTimeout(function () { emitter.emit("go"); }, 2);

var exits = 0;
process.addListener("exit", function (code) {
  exits++;
  assert.strictEqual(code, 0, "the listener prevented the default exit");
  assert.strictEqual(exits, 1);
  assert.strictEqual(later, true, "the program carried on after the exceptions");
  assert.strictEqual(caught.length, 4, caught.join(" | "));
  assert.strictEqual(caught[0], topLevel, "the exception object itself is passed");
  assert.strictEqual(caught[1], "from nextTick");
  assert.ok(caught[2] instanceof RangeError);
  assert.ok(caught[3] instanceof TypeError);
});

var topLevel = new Error("from the main module");
throw topLevel;
