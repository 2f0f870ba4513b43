var PI = 3.14;
exports.area = function (r) { return PI * r * r; };
