exports.picked = "m/index.js";
