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
// after(fn): writes that are merely coalesced (several sendBody() calls of
// one response) are made once the outermost event dispatch returns, or on
// the next tick outside any.

var depth = 0;      // event dispatches on the stack, of any object
var afterQueue = [];

exports.dispatch = function (obj, emit, a, b, c) {
  obj._batchDepth++;
  depth++;
  var returned = false;
  try {
    emit(obj, a, b, c);
    returned = true;
  } finally {
    obj._batchDepth--;
    if (!returned) exports.flush(obj);
    if (--depth === 0 && afterQueue.length > 0) runAfter();
  }
  var out = obj._batch;
  obj._batch = null;
  return out;
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

exports.flush = function (obj) {
  var data = obj._batch;
  if (data === null) return;
  obj._batch = null;
  obj._writeBatch(data);
};

exports.after = function (fn) {
  if (afterQueue.push(fn) === 1 && depth === 0) process.nextTick(runAfter);
};

function runAfter() {
  var queue = afterQueue, error = null;
  afterQueue = [];
  for (var i = 0; i < queue.length; i++) {
    try { queue[i](); } catch (e) { if (error === null) error = e; } // one failure holds back no other
  }
  if (error !== null) throw error;
}
