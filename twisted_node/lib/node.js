// Bootstrap: builds process, process.EventEmitter, process.Promise, timers,
// require and the globals, then hands Python the functions it calls into:
// the door (every call from Python into JS), runMain, finish, and the
// promise helpers used by jsbridge/promises.py.
(function (natives) {
  var GLOBAL = this || (0, eval)("this");
  GLOBAL.GLOBAL = GLOBAL;

  var process = GLOBAL.process = {};
  var EXIT = {};          // thrown by process.exit to unwind the JS stack
  var exiting = false;    // "exit" has been emitted (or is being emitted)
  var depth = 0;          // calls from Python currently on the stack
  var tickDepth = 0;      // the depth at which the nextTick queue runs (> 0 in a wait())

  // First of all: how Python binds a JS function to the door (bindings made
  // during this bootstrap already need it; `door` is hoisted).
  natives.setDoorBinder(function (fn) {
    return function () { return door(fn, arguments); };
  });

  // --- inheritance and EventEmitter --------------------------------------

  function inherits(ctor, superCtor) {
    var F = function () {};
    F.prototype = superCtor.prototype;
    ctor.super_ = superCtor;
    ctor.prototype = new F();
    ctor.prototype.constructor = ctor;
  }
  process.inherits = inherits;

  function EventEmitter() {}
  process.EventEmitter = EventEmitter;

  EventEmitter.prototype.addListener = function (type, listener) {
    if (typeof listener !== "function") {
      throw new TypeError("addListener(" + JSON.stringify(String(type)) +
                          ", listener): listener must be a function");
    }
    if (!this._events) this._events = {};
    // "newListener" goes out before the listener is added, so a listener for
    // "newListener" itself is not told about itself.
    if (this._events.newListener) this.emit("newListener", type, listener);
    var list = this._events[type];
    if (!list) this._events[type] = [listener];
    else list.push(listener);
    return this;
  };

  EventEmitter.prototype.removeListener = function (type, listener) {
    var list = this._events && this._events[type];
    if (list) {
      var i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  };

  EventEmitter.prototype.listeners = function (type) {
    if (!this._events) this._events = {};
    if (!this._events[type]) this._events[type] = [];
    return this._events[type];
  };

  EventEmitter.prototype.emit = function (type) {
    var list = this._events && this._events[type];
    if (!list || list.length === 0) return false;
    var n = arguments.length, args, i;
    if (list.length === 1) {
      // The common case, without copying anything.
      var f = list[0];
      if (n === 1) f.call(this);
      else if (n === 2) f.call(this, arguments[1]);
      else if (n === 3) f.call(this, arguments[1], arguments[2]);
      else f.apply(this, Array.prototype.slice.call(arguments, 1));
      return true;
    }
    args = Array.prototype.slice.call(arguments, 1);
    list = list.slice(); // listeners removed during the emit still see this one
    for (i = 0; i < list.length; i++) list[i].apply(this, args);
    return true;
  };

  // --- Promise --------------------------------------------------------------

  function Promise() {
    EventEmitter.call(this);
    this.hasFired = false;   // false, "success", "error" or "cancel"
    this._values = undefined;
    this._timeoutMs = undefined;
    this._timer = null;
  }
  inherits(Promise, EventEmitter);
  process.Promise = Promise;

  function fire(promise, kind, args) {
    if (promise.hasFired) return;
    promise.hasFired = kind;
    promise._values = Array.prototype.slice.call(args);
    promise._clearTimeout();
    if (kind === "error" && promise.listeners("error").length === 0) {
      // Node v0.1.22 dropped an error nobody handles, and programs of the
      // time let timeouts and failures go unheard: the program goes on. So
      // that it does not pass silently, it is named on one line of stderr,
      // unless an errback is added in the same tick.
      process.nextTick(function () {
        if (promise.listeners("error").length === 0 && !promise._handled) {
          natives.writeError("twisted-node: unhandled promise error: " + oneLine(promise._values) + "\n");
        }
      });
    }
    EventEmitter.prototype.emit.apply(promise, [kind].concat(promise._values));
  }

  Promise.prototype.emitSuccess = function () { fire(this, "success", arguments); };
  Promise.prototype.emitError = function () { fire(this, "error", arguments); };
  Promise.prototype.emitCancel = function () {
    this._clearTimeout();
    EventEmitter.prototype.emit.apply(this, ["cancel"].concat(Array.prototype.slice.call(arguments)));
  };
  // The manual notes that emit("success", ...) should work like emitSuccess.
  Promise.prototype.emit = function (type) {
    if (type === "success" || type === "error") {
      return fire(this, type, Array.prototype.slice.call(arguments, 1));
    }
    return EventEmitter.prototype.emit.apply(this, arguments);
  };

  function later(promise, kind, listener) {
    // A listener added after the promise fired is called at once, with the
    // values it fired with.
    if (promise.hasFired === kind) listener.apply(promise, promise._values);
    else promise.addListener(kind, listener);
    return promise;
  }
  Promise.prototype.addCallback = function (f) { return later(this, "success", f); };
  Promise.prototype.addErrback = function (f) {
    this._handled = true;
    return later(this, "error", f);
  };
  Promise.prototype.addCancelback = function (f) { return this.addListener("cancel", f); };

  Promise.prototype.cancel = function () {
    // Emptied in place: an array from listeners() stays the live one.
    this.listeners("success").length = 0;
    this.listeners("error").length = 0;
    this._handled = true;
    this._clearTimeout();
    this.emitCancel();
  };

  Promise.prototype._clearTimeout = function () {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  };

  Promise.prototype.timeout = function (ms) {
    if (ms === undefined) return this._timeoutMs;
    this._timeoutMs = ms;
    this._clearTimeout();
    if (this.hasFired) return this;
    var self = this;
    this._timer = setTimeout(function () {
      self._timer = null;
      self.emitError(new Error("timeout"));
    }, ms);
    return this;
  };

  Promise.prototype.wait = function () {
    var self = this;
    if (!this.hasFired) {
      this._handled = true; // wait() itself handles the error: it throws it
      // Events handed to JS together whose turn has not come (lib/http.js's
      // requests) go back, to come during the wait, as they would have.
      // The hooks run last registered first: a module's own (tcp's hands
      // over what the events before the waiting one did) before those of
      // what it loaded (batch.js's writes what the waiting one did so far).
      for (var i = waitHooks.length - 1; i >= 0; i--) waitHooks[i]();
      // The reactor runs re-entrantly below, as the event loop would: the
      // nextTick queue runs at this depth too (a door call returning to a
      // wait() counts as returning to the loop), and the timer slot must be
      // armed even when wait() is called from inside a timer callback (the
      // slot is otherwise re-armed only after that callback returns, so the
      // timers set up before the wait would never fire).
      var savedTickDepth = tickDepth;
      tickDepth = depth;
      try {
        if (timers.length > 0) timerBinding.schedule(Math.max(0, timers[0].due - Date.now()));
        runTicks();
        if (!this.hasFired) {
          natives.wait(function () { return self.hasFired === "success" || self.hasFired === "error"; });
        }
      } finally {
        tickDepth = savedTickDepth;
      }
    }
    var values = this._values;
    if (this.hasFired === "error") throw errorFromValues(values, "promise failed");
    return promiseValue(values);
  };

  // What a promise's success values are as one value (wait()'s result):
  // the only one, undefined for none, an array for several.
  function promiseValue(values) {
    return values.length === 1 ? values[0] : values.length === 0 ? undefined : values;
  }

  // What a promise failed with, on one line: errors as "Name: message",
  // other values as JSON.
  function oneLine(values) {
    if (values.length === 0) return "(no value)";
    return values.map(function (v) {
      try {
        var text = v instanceof Error ? String(v) : JSON.stringify(v);
        return (text === undefined ? String(v) : text).replace(/\n/g, "\\n");
      } catch (e) {
        return Object.prototype.toString.call(v);
      }
    }).join(", ");
  }

  function errorFromValues(values, what) {
    if (values.length > 0 && values[0] instanceof Error) return values[0];
    var text = values.length === 0 ? what :
      values.map(function (v) { return typeof v === "string" ? v : JSON.stringify(v); }).join(", ");
    var e = new Error(text);
    e.values = values;
    return e;
  }

  // --- nextTick, the door, uncaught exceptions, exit -------------------------

  var tickQueue = [];
  var waitHooks = []; // called as a promise.wait() begins (internal("host").beforeWait)
  process.nextTick = function (callback) {
    if (typeof callback !== "function") throw new TypeError("nextTick(callback): callback must be a function");
    tickQueue.push(callback);
  };

  function runTicks() {
    while (tickQueue.length > 0 && !exiting) {
      var queue = tickQueue;
      tickQueue = [];
      for (var i = 0; i < queue.length && !exiting; i++) {
        try { queue[i](); } catch (e) { uncaught(e); }
      }
    }
  }

  function stackOf(e) {
    if (e && typeof e === "object" && typeof e.stack === "string") return e.stack;
    if (e instanceof Error) return String(e);
    var sys = require("sys");
    return "Uncaught " + sys.inspect(e);
  }

  function uncaught(e) {
    if (e === EXIT || exiting) return;
    if (process.listeners("uncaughtException").length > 0) {
      try {
        process.emit("uncaughtException", e);
        return;
      } catch (again) {
        if (again === EXIT || exiting) return;
        e = again;
      }
    }
    natives.reportUncaught(stackOf(e));
    finish(1);
  }

  // Every call from Python into JS comes through here (Runtime.callback).
  function door(fn, args) {
    var result;
    depth++;
    try {
      result = fn.apply(null, args);
    } catch (e) {
      uncaught(e);
    } finally {
      depth--;
    }
    if (depth === tickDepth && tickQueue.length > 0) runTicks();
    return result;
  }

  // End the program with `code`: "exit" is emitted once; the first code wins.
  function finish(code) {
    if (!exiting) {
      exiting = true;
      try {
        process.emit("exit", code);
      } catch (e) {
        if (e !== EXIT) {
          natives.reportUncaught(stackOf(e));
          code = 1;
        }
      }
    }
    natives.exit(code);
  }

  process.exit = function (code) {
    code = code === undefined ? 0 : Number(code) | 0;
    finish(code);
    throw EXIT;
  };

  // --- the process object ------------------------------------------------------

  process.ARGV = natives.argv;
  process.argv = process.ARGV;
  process.ENV = natives.env;
  process.env = process.ENV;
  process.pid = natives.pid;
  // Beyond the manual: 1..N in the workers of `--workers N`, undefined without.
  if (natives.workerId !== null && natives.workerId !== undefined) process.workerId = natives.workerId;
  process.platform = natives.platform;
  process.execPath = natives.execPath;
  process.version = "v0.1.33";
  var bindingCache = {};
  process.binding = function (name) {
    return bindingCache[name] || (bindingCache[name] = natives.binding(name));
  };
  process.cwd = natives.cwd;
  process.chdir = function (directory) {
    if (typeof directory !== "string") throw new TypeError("chdir(directory): directory must be a string");
    natives.chdir(directory);
  };
  process.umask = function (mask) { return natives.umask(mask === undefined ? null : mask); };
  process.kill = function (pid, signal) {
    if (typeof pid !== "number") throw new TypeError("kill(pid, signal): pid must be a number");
    natives.kill(pid, signal === undefined ? "SIGTERM" : signal);
  };
  process.memoryUsage = function () { return natives.memoryUsage(); };
  for (var name in natives.constants) process[name] = natives.constants[name];

  process.compile = function (source, scriptOrigin) {
    source = String(source);
    scriptOrigin = String(scriptOrigin);
    try {
      // Indirect eval runs in the global scope; sourceURL names it in stacks.
      return (0, eval)(source + "\n//# sourceURL=" + scriptOrigin);
    } catch (e) {
      // V8 reports a syntax error in eval'd code without its location. Compile
      // it again, as a function that is never called, under its origin: that
      // SyntaxError's stack says origin:line:column (same lines; columns of
      // line 1 are shifted by the wrapper). Only when it is the same error:
      // input that merely stopped early fails differently inside the wrapper,
      // and the REPL reads "Unexpected end of input" to ask for more lines.
      if (e instanceof SyntaxError) {
        try { natives.compile("(function () {" + source + "\n})", scriptOrigin); } catch (located) {
          if (located instanceof SyntaxError && located.message === e.message) throw located;
        }
      }
      throw e;
    }
  };

  // process.mixin([deep], target, source...), jQuery.extend as Node v0.1.22
  // had it: getters and setters are copied as accessors (not their current
  // values), and a property whose value is undefined is copied like any
  // other. Inherited enumerable properties are copied too, as the manual
  // says. A deep copy copies nested plain objects and arrays, so that the
  // target shares none of them with the source; other objects (instances of
  // a class, dates) keep their identity.
  process.mixin = function () {
    var target = arguments[0], i = 1, deep = false, length = arguments.length;
    if (typeof target === "boolean") {
      deep = target;
      target = arguments[1];
      i = 2;
    }
    if (length === i) { // only sources given: extend the global object
      target = GLOBAL;
      i--;
    }
    if (target === null || target === undefined) target = GLOBAL;
    if (typeof target !== "object" && typeof target !== "function") target = {};
    for (; i < length; i++) {
      var source = arguments[i];
      if (source === null || source === undefined) continue;
      for (var key in source) {
        var d = descriptorOf(source, key);
        if (d.get || d.set) {
          Object.defineProperty(target, key, { get: d.get, set: d.set, enumerable: true, configurable: true });
          continue;
        }
        var value = d.value;
        if (value === target) continue;
        if (deep && isPlain(value)) {
          var base = target[key];
          var clone = Array.isArray(value) ? (Array.isArray(base) ? base : []) :
            (isPlain(base) && !Array.isArray(base) ? base : {});
          target[key] = process.mixin(true, clone, value);
        } else {
          target[key] = value;
        }
      }
    }
    return target;
  };

  // The descriptor of `key` where a for-in loop found it: on the object or
  // along its prototype chain (a host object may describe nothing: its value).
  function descriptorOf(object, key) {
    for (var o = object; o !== null && o !== undefined; o = Object.getPrototypeOf(o)) {
      var d = Object.getOwnPropertyDescriptor(o, key);
      if (d) return d;
    }
    return { value: object[key] };
  }

  function isPlain(value) {
    if (value === null || typeof value !== "object") return false;
    if (Array.isArray(value)) return true;
    var proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  }

  // process is an EventEmitter; signal events install OS handlers lazily.
  process.__proto__ = EventEmitter.prototype;
  var SIGNAL = /^SIG[A-Z0-9]+$/;
  natives.initSignals(function (name) { process.emit(name); });
  process.addListener("newListener", function (type) {
    if (SIGNAL.test(type) && process.listeners(type).length === 0) natives.watchSignal(type);
  });
  process.removeListener = function (type, listener) {
    EventEmitter.prototype.removeListener.call(this, type, listener);
    if (SIGNAL.test(type) && this.listeners(type).length === 0) natives.unwatchSignal(type);
    return this;
  };

  // --- timers ----------------------------------------------------------------

  var timerBinding = process.binding("timers");
  var timers = [];       // pending, ordered by due time then creation
  var timerSerial = 0;

  function Timer(callback, ms, repeat, args) {
    this.id = ++timerSerial;
    this.callback = callback;
    this.ms = ms;
    this.repeat = repeat;
    this.args = args;
    this.due = 0;
  }

  function insertTimer(t) {
    var lo = 0, hi = timers.length;
    while (lo < hi) { // after every timer due at the same time or earlier
      var mid = (lo + hi) >> 1;
      if (timers[mid].due <= t.due) lo = mid + 1; else hi = mid;
    }
    timers.splice(lo, 0, t);
    if (lo === 0) timerBinding.schedule(Math.max(0, t.due - Date.now()));
  }

  function removeTimer(t) {
    var i = timers.indexOf(t);
    if (i < 0) return;
    timers.splice(i, 1);
    if (timers.length === 0) timerBinding.cancel();
    else if (i === 0) timerBinding.schedule(Math.max(0, timers[0].due - Date.now()));
  }

  timerBinding.init(function onTimeout() {
    var now = Date.now();
    while (timers.length > 0 && timers[0].due <= now && !exiting) {
      var t = timers.shift();
      if (t.repeat) {
        t.due = Math.max(t.due + t.ms, now);
        insertTimerQuietly(t);
      }
      // `this` is the timer's id, as in Node v0.1.22 (the timer emitted its
      // own "timeout" event): clearInterval(this) stops an interval.
      try { t.callback.apply(t, t.args); } catch (e) { uncaught(e); }
      if (tickQueue.length > 0) runTicks();
    }
    if (timers.length > 0 && !exiting) timerBinding.schedule(Math.max(0, timers[0].due - Date.now()));
  });

  function insertTimerQuietly(t) {
    // Used while the timer list is being run: the slot is rescheduled at the end.
    var lo = 0, hi = timers.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (timers[mid].due <= t.due) lo = mid + 1; else hi = mid;
    }
    timers.splice(lo, 0, t);
  }

  function addTimer(callback, ms, repeat, extra) {
    if (typeof callback !== "function") {
      throw new TypeError((repeat ? "setInterval" : "setTimeout") + "(callback, delay): callback must be a function");
    }
    ms = Number(ms);
    if (!(ms >= 1)) ms = repeat ? 1 : 0;
    var t = new Timer(callback, ms, repeat, extra);
    t.due = Date.now() + ms;
    insertTimer(t);
    return t;
  }

  GLOBAL.setTimeout = function (callback, ms) {
    return addTimer(callback, ms, false, Array.prototype.slice.call(arguments, 2));
  };
  GLOBAL.setInterval = function (callback, ms) {
    return addTimer(callback, ms, true, Array.prototype.slice.call(arguments, 2));
  };
  GLOBAL.clearTimeout = GLOBAL.clearInterval = function (t) {
    if (t instanceof Timer) removeTimer(t);
  };

  // --- the V8 underneath -----------------------------------------------------------
  //
  // Where today's V8 differs from the V8 of 2009 and the old behaviour can
  // come back without harm to programs written today. The differences that
  // stay are listed in the README ("Running programs written for Node v0.1").

  function setMethod(proto, name, fn) {
    Object.defineProperty(proto, name, { value: fn, writable: true, enumerable: false, configurable: true });
  }

  // JSON.stringify(error): the V8 of 2009 gave an Error its message as an
  // enumerable own property, so programs that sent errors as JSON showed it;
  // today's is not enumerable, and they send {}. toJSON gives the message
  // and the error's own enumerable properties (code, errno, path...), for
  // every error, those V8 throws too. It is not enumerable: for-in and
  // Object.keys over an error are unchanged (making the message itself
  // enumerable would mean replacing the Error constructors, which changes
  // stack traces and subclassing, and still misses the errors V8 throws).
  setMethod(Error.prototype, "toJSON", function () {
    var out = {};
    if (Object.prototype.hasOwnProperty.call(this, "message")) out.message = this.message;
    var keys = Object.keys(this);
    for (var i = 0; i < keys.length; i++) out[keys[i]] = this[keys[i]];
    return out;
  });

  // The locale methods: STPyV8 13.1 starts V8 without its ICU data (an
  // STPyV8 bug), and then Date's toLocaleString(), toLocaleDateString() and
  // toLocaleTimeString() abort the whole process, and Number's
  // toLocaleString() and String's localeCompare() throw. The V8 of 2009 had
  // no locale data either and answered without it; so do these, only while
  // ICU is unusable (the probe throws then, it does not abort).
  var icuWorks = true;
  try { (0).toLocaleString(); } catch (e) { icuWorks = false; }
  if (!icuWorks) {
    setMethod(Date.prototype, "toLocaleString", function () { return Date.prototype.toString.call(this); });
    setMethod(Date.prototype, "toLocaleDateString", function () { return Date.prototype.toDateString.call(this); });
    setMethod(Date.prototype, "toLocaleTimeString", function () { return Date.prototype.toTimeString.call(this); });
    setMethod(Number.prototype, "toLocaleString", function () { return Number.prototype.toString.call(this); });
    setMethod(String.prototype, "localeCompare", function (that) {
      "use strict"; // `this` as given: null is not turned into the global object
      if (this === null || this === undefined) throw new TypeError("String.prototype.localeCompare called on null or undefined");
      var a = String(this), b = String(that);
      return a < b ? -1 : a > b ? 1 : 0;
    });
  }

  // --- modules -----------------------------------------------------------------

  var builtins = {};
  natives.builtins.forEach(function (n) { builtins[n] = true; });
  var moduleCache = {};

  function Module(id, parent) {
    this.id = id;
    this.exports = {};
    this.parent = parent || null;
    this.filename = null;
    this.loaded = false;
    this.children = [];
  }
  process.Module = Module;

  function dirname(path) {
    var i = path.lastIndexOf("/");
    return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
  }

  function normalize(path) {
    var absolute = path.charAt(0) === "/", out = [];
    path.split("/").forEach(function (part) {
      if (part === "" || part === ".") return;
      if (part === "..") { if (out.length && out[out.length - 1] !== "..") out.pop(); else if (!absolute) out.push(".."); }
      else out.push(part);
    });
    return (absolute ? "/" : "") + out.join("/");
  }

  var requirePaths = natives.requirePaths.slice();

  function candidates(base) {
    return [base, base + ".js", base + ".node", base + "/index.js", base + "/index.node", base + ".py"];
  }

  function resolve(request, parent) {
    if (typeof request !== "string" || request === "") {
      throw new TypeError("require(path): path must be a non-empty string");
    }
    var relative = request.slice(0, 2) === "./" || request.slice(0, 3) === "../";
    if (!relative && request.charAt(0) !== "/" && builtins[request]) return { builtin: request };
    var bases;
    if (relative) {
      var from = parent && parent.filename ? dirname(parent.filename) : natives.cwd();
      bases = [normalize(from + "/" + request)];
    } else if (request.charAt(0) === "/") {
      bases = [normalize(request)];
    } else {
      bases = requirePaths.map(function (p) { return normalize(p + "/" + request); });
    }
    var all = [];
    bases.forEach(function (b) { all = all.concat(candidates(b)); });
    var found = natives.findModule(all.join("\0"));
    if (found === null) {
      var e = new Error("Cannot find module '" + request + "'" +
                        (relative ? " from " + (parent && parent.filename || natives.cwd()) : "") +
                        ". Searched: " + all.join(", "));
      e.code = "MODULE_NOT_FOUND";
      throw e;
    }
    return { filename: found };
  }

  var WRAPPER = "(function (exports, require, module, __filename, __dirname, internal) { ";

  // `internal` is given to the runtime's own modules only (lib/*.js): it
  // loads what they share from lib/internal/ (text.js, batch.js), which a
  // program cannot require.
  function load(module, filename, source, isBuiltin) {
    module.filename = filename;
    var fn = natives.compile(WRAPPER + source + "\n})", filename);
    fn.call(module.exports, module.exports, makeRequire(module), module, filename, dirname(filename),
            isBuiltin ? internal : undefined);
    module.loaded = true;
  }

  var internalCache = {};
  function internal(name) {
    var cached = internalCache[name];
    if (cached) return cached.exports;
    var module = new Module("internal/" + name, null);
    internalCache[name] = module;
    var file = natives.libDir + "/internal/" + name + ".js";
    load(module, file, natives.readSource(file), true);
    return module.exports;
  }

  function requireModule(request, parent) {
    var where = resolve(request, parent);
    var key = where.builtin ? "builtin:" + where.builtin : where.filename;
    var cached = moduleCache[key];
    if (cached) return cached.exports;
    var module = new Module(where.builtin || where.filename, parent);
    if (parent) parent.children.push(module);
    moduleCache[key] = module; // before running it: a cycle sees the partial exports
    try {
      if (where.builtin) {
        var file = natives.libDir + "/" + where.builtin + ".js";
        load(module, file, natives.readSource(file), true);
      } else if (/\.node$/.test(where.filename)) {
        var err = new Error("Cannot load '" + where.filename + "': V8 C++ addons (.node files) cannot be " +
                            "loaded into twisted_node; write a Python addon (NAME.py defining init(target)) instead");
        err.code = "ERR_ADDON_UNSUPPORTED";
        throw err;
      } else if (/\.py$/.test(where.filename)) {
        module.filename = where.filename;
        var exportsOfAddon = natives.loadAddon(where.filename);
        for (var k in exportsOfAddon) module.exports[k] = exportsOfAddon[k];
        module.loaded = true;
      } else {
        load(module, where.filename, natives.readSource(where.filename));
      }
    } catch (e) {
      delete moduleCache[key];
      throw e;
    }
    return module.exports;
  }

  function makeRequire(module) {
    function require(request) { return requireModule(request, module); }
    require.paths = requirePaths;
    require.main = mainModule;
    return require;
  }

  var mainModule = null;
  var require = makeRequire(null);
  GLOBAL.require = require;

  // Later v0.1 conveniences some programs of the time still call as globals.
  ["puts", "print", "p", "debug"].forEach(function (fname) {
    GLOBAL[fname] = function () { var sys = require("sys"); return sys[fname].apply(sys, arguments); };
  });

  process.stdio = require("stdio");
  Object.defineProperty(process, "ChildProcess", {
    get: function () { return require("child_process").ChildProcess; },
    enumerable: true, configurable: true
  });
  process.createChildProcess = function (command, args, env) {
    return require("child_process").createChildProcess(command, args, env);
  };
  process.watchFile = function () {
    var w = require("watchfile");
    return w.watchFile.apply(w, arguments);
  };
  process.unwatchFile = function () {
    var w = require("watchfile");
    return w.unwatchFile.apply(w, arguments);
  };

  function runMain(filename) {
    mainModule = new Module(".", null);
    moduleCache[filename] = mainModule;
    GLOBAL.module = mainModule;
    GLOBAL.exports = mainModule.exports;
    GLOBAL.__filename = filename;
    GLOBAL.__dirname = dirname(filename);
    require.main = mainModule;
    load(mainModule, filename, natives.readSource(filename));
  }

  function runSource(source, origin) {
    mainModule = new Module(".", null);
    GLOBAL.module = mainModule;
    GLOBAL.exports = mainModule.exports;
    process.compile(source, origin);
  }

  // --- calls from the host application ------------------------------------------
  //
  // Python reaches the functions the main module exports: NodeService.call
  // (jsbridge/calls.py is the Python half) and twisted_node.web.NodeResource
  // (lib/twisted_web.js). They are looked up in module.exports as it is at
  // the time of the call, so `exports.f = ...` and `module.exports = {...}`
  // both work, also when set after the main module has run.

  // The function exports[name]: the exports object's own, or inherited from
  // a prototype of its own (never Object's: "toString" is no export).
  function exported(name) {
    var exports = mainModule === null ? null : mainModule.exports, fn;
    for (var o = exports === null || exports === undefined ? null : Object(exports);
         o !== null && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
      var d = Object.getOwnPropertyDescriptor(o, name);
      if (d) { fn = "value" in d ? d.value : exports[name]; break; }
    }
    if (typeof fn !== "function") {
      var e = new TypeError("exports." + name + " is not a function: the main module" +
                            (mainModule && mainModule.filename ? " (" + mainModule.filename + ")" : "") +
                            " exports no function by that name");
      e.code = "ERR_NOT_EXPORTED";
      throw e;
    }
    return fn;
  }

  // A thrown value as JSON for Python (errors.JavaScriptError): name,
  // message, stack and the other own properties JSON can carry.
  function describeError(e) {
    var out = { name: "Error", message: "", stack: stackOf(e), props: {} };
    if (e !== null && typeof e === "object") {
      if (typeof e.name === "string") out.name = e.name;
      if (e.message !== undefined) out.message = String(e.message);
      try {
        Object.keys(e).forEach(function (k) {
          if (k === "name" || k === "message" || k === "stack") return;
          try { if (JSON.stringify(e[k]) !== undefined) out.props[k] = e[k]; } catch (notData) { /* left out */ }
        });
      } catch (hostObject) { /* no properties to list */ }
    } else {
      out.message = typeof e === "string" ? e : require("sys").inspect(e);
    }
    return JSON.stringify(out);
  }

  // The outcome of a call as Python reads it: "=" and the value as JSON
  // (undefined as null), or "!" and the error (a value JSON cannot carry).
  function outcome(value) {
    try {
      if (typeof value === "function" || typeof value === "symbol") {
        throw new TypeError("a " + typeof value + " cannot cross to Python (plain values only)");
      }
      var json = JSON.stringify(value);
      return "=" + (json === undefined ? "null" : json);
    } catch (e) {
      return "!" + describeError(e);
    }
  }

  var pendingCalls = new Map(); // call id -> the promise its Python caller waits for

  // exports[name](...args) for NodeService.call: its outcome at once, or ""
  // when it returned a process.Promise, which settles the call later
  // (natives.settleCall(id, outcome); "x" when the promise was cancelled).
  function callExport(id, name, argsJSON) {
    var value;
    try {
      value = exported(name).apply(mainModule.exports, JSON.parse(argsJSON));
    } catch (e) {
      if (e === EXIT || exiting) throw e; // process.exit() unwinding: the door's
      return "!" + describeError(e);
    }
    if (!(value instanceof Promise)) return outcome(value);
    pendingCalls.set(id, value);
    var settle = function (result) {
      if (pendingCalls.delete(id)) natives.settleCall(id, result);
    };
    value.addCallback(function () { settle(outcome(promiseValue(Array.prototype.slice.call(arguments)))); });
    value.addErrback(function () {
      settle("!" + describeError(errorFromValues(Array.prototype.slice.call(arguments), "promise failed")));
    });
    value.addCancelback(function () { settle("x"); });
    return "";
  }

  // The Python caller cancelled its Deferred: cancel the promise it waited for.
  function cancelCall(id) {
    var promise = pendingCalls.get(id);
    if (promise === undefined) return;
    pendingCalls.delete(id); // the caller knows: "cancel" tells it nothing
    promise.cancel();
  }

  // What the runtime's modules share of this, as internal("host"): made
  // here, not from a file, since it needs the main module, process.exit's
  // unwinding and the door, which only the bootstrap knows.
  internalCache.host = {
    exports: {
      exported: exported,
      stackOf: stackOf,
      // Rethrows `e` when it is process.exit() unwinding the stack (or the
      // program is exiting): a caller that answers for a handler's
      // exceptions must let that one through to the door.
      passExit: function (e) { if (e === EXIT || exiting) throw e; },
      // fn(a, b, c) for one of several events that came through the door
      // in a single call (a reactor turn's http requests, tcp events), as if
      // it had come through on its own: what it throws goes to
      // "uncaughtException" (null is returned), and the nextTick queue runs
      // before the next one. The caller stops once exiting() is true.
      asEvent: function (fn, a, b, c) {
        var result = null;
        try {
          result = fn(a, b, c);
        } catch (e) {
          uncaught(e);
        }
        if (depth === tickDepth + 1 && tickQueue.length > 0) runTicks();
        return result;
      },
      exiting: function () { return exiting; },
      // fn() is called whenever a promise.wait() is about to run the loop.
      beforeWait: function (fn) { waitHooks.push(fn); }
    }
  };

  // --- what Python calls -------------------------------------------------------

  return {
    runMain: runMain,
    runSource: runSource,
    require: function (name) { require(name); },
    finish: finish,
    callExport: callExport,
    cancelCall: cancelCall,
    makeError: function (name, message, propsJSON) {
      var Ctor = { TypeError: TypeError, RangeError: RangeError, SyntaxError: SyntaxError }[name] || Error;
      var e = new Ctor(message);
      if (propsJSON) {
        var props = JSON.parse(propsJSON);
        for (var k in props) e[k] = props[k];
      }
      return e;
    },
    // [promise, emitSuccess, emitError], the two bound to the promise; its
    // "cancel" (cancel() or emitCancel()) calls `cancel` (the Deferred's).
    newPromise: function (cancel) {
      var p = new Promise();
      p.addCancelback(function () { cancel(); });
      return [p, function () { p.emitSuccess.apply(p, arguments); },
              function () { p.emitError.apply(p, arguments); }];
    },
    promiseSettled: function (p, ok, failed) { p.addCallback(ok); p.addErrback(failed); }
  };
})
