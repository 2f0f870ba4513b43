// Batched writes: the crossing saving of the runtime's modules, in one
// place (lib/internal/: loaded with `internal("batch")`, not requirable).
//
// While an event of one object (a tcp connection, an http connection) is
// being dispatched, what the program writes to that same object is gathered
// on the object (obj._batch, a "binary" string) and returned as the event's
// result, which the binding writes when the call returns: one crossing for
// the event and its reply instead of one more per write (twisted_node/
// bindings/events.py is the Python half). Whatever throws, the gathered
// output never stays behind: if a listener throws, it is written at once
// through obj._writeBatch(data) before the exception goes on; any write to
// the object that cannot be gathered writes it first, to keep the order.
//
// The object needs _batch = null, _batchDepth = 0 and a _writeBatch(data).
//
// defer(obj, command): the same for what a listener does to the object
// besides writing (a tcp connection's close(), setTimeout(), ...): a short
// command the binding understands, gathered in obj._deferred (commands
// joined by "\n"); the event's result is then [writes or null, commands],
// and the binding runs them after the writes. Such an object also needs
// _deferred = null and a _runDeferred(commands) for flush.
//
// Nothing gathered waits through a promise.wait() in a listener (the
// program may wait for what the peer does with it): as the wait begins,
// every object whose event is being dispatched is flushed.
//
// after(fn): writes that are merely coalesced (several sendBody() calls of
// one response) are made once the outermost event dispatch returns, or on
// the next tick outside any.

var dispatching = []; // the objects whose events are being dispatched, innermost last
var afterQueue = [];

exports.dispatch = function (obj, emit, a, b, c) {
  obj._batchDepth++;
  dispatching.push(obj);
  var returned = false;
  try {
    emit(obj, a, b, c);
    returned = true;
  } finally {
    obj._batchDepth--;
    dispatching.pop();
    if (!returned) exports.flush(obj);
    if (dispatching.length === 0 && afterQueue.length > 0) runAfter();
  }
  var out = obj._batch, deferred = obj._deferred;
  obj._batch = null;
  if (!deferred) return out; // the hot path: writes only (or nothing)
  obj._deferred = null;
  return [out, deferred];
};

// An event that JS itself dispatches (not one the binding called up with):
// what the listeners gathered is written or run here when they return.
exports.run = function (obj, emit, a, b, c) {
  var out = exports.dispatch(obj, emit, a, b, c);
  if (out === null) return;
  if (typeof out === "string") {
    obj._writeBatch(out);
    return;
  }
  if (out[0] !== null) obj._writeBatch(out[0]);
  obj._runDeferred(out[1]);
};

// Gathers `data` if an event of `obj` is being dispatched; false otherwise
// (the caller writes it itself, after flush(obj)). `single`: at most one
// write may be gathered (the binding gives it a meaning of its own, say
// "a finished response"); an earlier one is written first.
exports.add = function (obj, data, single) {
  if (obj._batchDepth === 0) return false;
  if (obj._batch === null) obj._batch = data;
  else if (single) { exports.flush(obj); obj._batch = data; }
  else obj._batch += data;
  return true;
};

// Gathers `command` (see defer above) if an event of `obj` is being
// dispatched; false otherwise (the caller does it itself, now).
exports.defer = function (obj, command) {
  if (obj._batchDepth === 0) return false;
  obj._deferred = obj._deferred === null ? command : obj._deferred + "\n" + command;
  return true;
};

// What was gathered for `obj`, written and run now (writes first).
exports.flush = function (obj) {
  var data = obj._batch, deferred = obj._deferred;
  if (data !== null) {
    obj._batch = null;
    obj._writeBatch(data);
  }
  if (deferred) {
    obj._deferred = null;
    obj._runDeferred(deferred);
  }
};

internal("host").beforeWait(function () {
  for (var i = 0; i < dispatching.length; i++) exports.flush(dispatching[i]);
});

exports.after = function (fn) {
  if (afterQueue.push(fn) === 1 && dispatching.length === 0) process.nextTick(runAfter);
};

function runAfter() {
  var queue = afterQueue, error = null;
  afterQueue = [];
  for (var i = 0; i < queue.length; i++) {
    try { queue[i](); } catch (e) { if (error === null) error = e; } // one failure holds back no other
  }
  if (error !== null) throw error;
}
