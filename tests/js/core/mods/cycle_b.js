var a = require("./cycle_a");
exports.sawBefore = a.beforeB;
exports.sawAfter = a.afterB;
exports.partial = a;
