// The test convention itself: an assertion failing in an "exit" listener
// makes the status 1, with the AssertionError on stderr.
var assert = require("assert");
process.addListener("exit", function () { assert.equal(1, 2, "checked at exit"); });
