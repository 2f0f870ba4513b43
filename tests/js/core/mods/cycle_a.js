// a requires b, which requires a back: b sees a's exports as they are so far.
exports.beforeB = "a-before";
var b = require("./cycle_b");
exports.afterB = "a-after";
exports.b = b;
