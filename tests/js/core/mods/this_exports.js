// `this` at a module's top level is its exports object.
this.viaThis = "set through this";
exports.thisIsExports = this === exports;
exports.moduleExportsIsExports = module.exports === exports;
exports.privateIsHidden = typeof privateToCircle === "undefined";
