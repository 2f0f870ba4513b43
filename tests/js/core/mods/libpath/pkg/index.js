exports.name = "pkg/index.js";
