// The one convention for events (twisted_node/bindings/events.py), its JS
// half (lib/internal/: loaded with `internal("events")`, not requirable).
//
// A binding calls the function lib/NAME.js gave to binding.init with
// (key, ...args), key = id * KEY + code: one argument fewer than (id, code)
// across the bridge, where each costs a conversion. handler(onEvent) gives
// them back to onEvent as (id, code, ...args).

var KEY = exports.KEY = 32;

exports.handler = function (onEvent) {
  return function (key, a, b, c, d) {
    var code = key % KEY;
    return onEvent((key - code) / KEY, code, a, b, c, d);
  };
};
