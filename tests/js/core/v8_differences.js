// Every difference the README lists under "Running programs written for
// Node v0.1" behaves as the README says, and its one-line fix works. Prints
// the title of each difference checked, in the README's order:
// tests/test_core_programs.py compares them with the README's list.
var sys = require("sys"), assert = require("assert");

var checked = [];
function difference(title, check) {
  check();
  checked.push(title);
}

// What the README says still works as it did.
(function () {
  var o = {};
  o.__defineGetter__("x", function () { return 1; });
  assert.equal(o.x, 1);
  assert.equal((function () { return arguments.callee; })().length, 0);
  assert.equal("abcdef".substr(-3, 2), "de");
  /(x+)/.exec("axxb");
  assert.equal(RegExp.$1, "xx");
  o.__proto__ = {inherited: true};
  assert.equal(o.inherited, true);
  assert.equal(eval("0755"), 493);
})();

difference("Calling a RegExp as a function.", function () {
  var re = /(\d+)-(\d+)/;
  assert.throws(function () { re("10-20"); }, TypeError);
  assert.equal(re.exec("10-20")[2], "20");
  assert.equal(typeof re, "object");
  assert.ok(re instanceof RegExp);
});

difference("An Error's message is not enumerable.", function () {
  var error = new Error("boom");
  error.code = "ENOENT";
  var keys = [];
  for (var k in error) keys.push(k);
  assert.deepEqual(keys, ["code"]);
  assert.deepEqual(Object.keys(error), ["code"]);
  assert.equal(error.message, "boom");
  // restored: JSON.stringify, also for an error V8 throws itself
  assert.equal(JSON.stringify(error), '{"message":"boom","code":"ENOENT"}');
  try { null.x; } catch (thrown) {
    assert.deepEqual(JSON.parse(JSON.stringify({error: thrown})), {error: {message: thrown.message}});
  }
  assert.equal(JSON.stringify(new Error()), "{}");
});

difference("Locale methods without locale data.", function () {
  var date = new Date(2009, 11, 19, 10, 30, 0);
  var icu = typeof Intl === "object" && Intl.Collator.supportedLocalesOf(["en"]).length > 0;
  if (icu) {
    // an STPyV8 that loads its ICU data: V8's own methods are left alone
    assert.ok(/\[native code\]/.test(Date.prototype.toLocaleString.toString()));
    return;
  }
  assert.equal(date.toLocaleString(), date.toString());
  assert.equal(date.toLocaleDateString(), date.toDateString());
  assert.equal(date.toLocaleTimeString(), date.toTimeString());
  assert.ok(/GMT[+-]\d{4} \(\)$/.test(date.toString()), date.toString());
  assert.equal((1234.5).toLocaleString(), "1234.5");
  assert.equal([1, 2.5].toLocaleString(), "1,2.5");
  assert.deepEqual(["b", "\u00e9", "a", "B"].sort(function (x, y) { return x.localeCompare(y); }),
                   ["B", "a", "b", "\u00e9"]);
  assert.equal("a".localeCompare("a"), 0);
  assert.throws(function () { String.prototype.localeCompare.call(null, "a"); }, TypeError);
  assert.throws(function () { new Intl.NumberFormat("en").format(1); });
});

difference("`parseInt` without a radix reads a leading 0 as decimal.", function () {
  assert.equal(parseInt("010"), 10);
  assert.equal(parseInt("08"), 8);
  assert.equal(parseInt("010", 8), 8);
  assert.equal(parseInt("0755", 8), 493);
});

difference("`const` is block-scoped, and assigning to one throws.", function () {
  assert.throws(function () { eval("(function () { if (true) { const X = 1; } return X; })()"); }, ReferenceError);
  assert.throws(function () { eval("(function () { const Y = 1; Y = 2; })()"); }, TypeError);
  assert.equal(eval("(function () { if (true) { var X = 1; } X = 2; return X; })()"), 2);
});

difference("A function declared in a block exists once the block has run.", function () {
  assert.equal(eval("(function () { if (false) { function f() { return 1; } } return typeof f; })()"), "undefined");
  assert.equal(eval("(function () { var before = typeof g; if (true) { function g() {} } return before; })()"),
               "undefined");
  assert.equal(eval("(function () { if (true) { function h() { return 1; } } else { function h() { return 2; } } " +
                    "return h(); })()"), 1);
  assert.equal(eval("(function () { var f; if (true) { f = function () { return 1; }; } return f(); })()"), 1);
});

sys.puts(checked.join("\n"));
