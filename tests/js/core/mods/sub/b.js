// "../" goes up from this file's directory.
exports.name = "b";
exports.c = require("../c");
