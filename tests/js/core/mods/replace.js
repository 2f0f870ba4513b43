// A module may replace its exports object.
module.exports = function replaced() { return "replaced"; };
