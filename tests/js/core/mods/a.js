// require("./sub/b") is relative to this file, not to the main program.
exports.name = "a";
exports.b = require("./sub/b");
exports.filename = __filename;
exports.dirname = __dirname;
exports.moduleIsModule = module instanceof process.Module;
