// The JavaScript half of the bridge (twisted_node/jsbridge). Evaluated first,
// before node.js: it gives Python native constructors to build values with,
// and the wrapper that turns a Python function into a JS function which
// throws real Error objects.
(function () {
  // A Python binding function that failed returns a ThrowBox instead of
  // raising: STPyV8 would turn a Python exception into a bare Error without
  // the properties (code, errno, path) the manual's users rely on.
  function ThrowBox(name, message, props) {
    this.name = name;
    this.message = message;
    this.props = props;
  }

  var ERRORS = {
    Error: Error, TypeError: TypeError, RangeError: RangeError,
    SyntaxError: SyntaxError, ReferenceError: ReferenceError
  };

  function toError(box) {
    var Ctor = ERRORS[box.name] || Error;
    var e = new Ctor(box.message);
    if (!ERRORS[box.name]) e.name = box.name;
    var props = box.props;
    if (props) for (var k in props) e[k] = props[k];
    return e;
  }

  return {
    parse: JSON.parse,
    // JSON text whose {"\u0000slot": i} objects are replaced by take(i)
    // (functions, promises, handles: what JSON cannot carry).
    assemble: function (text, take) {
      return JSON.parse(text, function (k, v) {
        return v !== null && typeof v === "object" && Object.prototype.hasOwnProperty.call(v, "\u0000slot") ?
          take(v["\u0000slot"]) : v;
      });
    },
    throwBox: function (name, message, propsJSON) {
      return new ThrowBox(name, message, propsJSON ? JSON.parse(propsJSON) : null);
    },
    wrap: function (py) {
      return function () {
        var r = py.apply(null, arguments);
        if (r instanceof ThrowBox) throw toError(r);
        return r;
      };
    }
  };
})()
