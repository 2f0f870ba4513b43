exports.picked = "m.js";
