// The later v0.1 "events" module: the same EventEmitter as process.EventEmitter.
exports.EventEmitter = process.EventEmitter;
exports.Promise = process.Promise;
