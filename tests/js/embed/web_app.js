// Handlers and functions for a host application (tests/test_web_resource.py,
// tests/test_service_call.py): exported for twisted_node.web.NodeResource
// and NodeService.call.
var sys = require("sys");

// Each request answered with what it looked like, as JSON.
exports.echo = function (req, res) {
  var body = "";
  req.setBodyEncoding("utf8");
  req.addListener("body", function (chunk) { body += chunk; });
  req.addListener("complete", function () {
    var seen = JSON.stringify({
      method: req.method,
      path: req.uri.path,
      full: req.uri.full,
      params: req.uri.params,
      headers: req.headers,
      version: req.httpVersion,
      body: body,
      remoteAddress: req.connection.remoteAddress
    });
    res.sendHeader(200, { "Content-Type": "application/json", "Set-Cookie": "js=1" });
    res.sendBody(seen, "utf8");
    res.finish();
  });
};

// A streamed response: the first piece now, each next one when the host
// calls exports.more() (after the test has read the one before).
var streams = [];
exports.stream = function (req, res) {
  res.sendHeader(200, { "Content-Type": "text/plain" });
  res.sendBody("piece 0\n");
  streams.push({ res: res, sent: 1 });
};
exports.more = function () {
  var s = streams[0];
  if (s === undefined) throw new Error("more(): no stream is open");
  if (s.sent === 3) {
    s.res.finish();
    streams.shift();
    return "finished";
  }
  s.res.sendBody("piece " + s.sent + "\n");
  s.sent++;
  return s.sent;
};

// Never answered: the client goes away. exports.closed() is a promise of
// how many such requests have seen "close" (on the request, the response
// and the connection), fired once one has.
var hanging = 0, closes = [], waiters = [];
exports.hang = function (req, res) {
  hanging++;
  var seen = [];
  function saw(what) {
    return function () {
      seen.push(what);
      if (seen.length === 3) {
        closes.push(seen.sort().join(","));
        var w = waiters;
        waiters = [];
        w.forEach(function (p) { p.emitSuccess(closes); });
      }
    };
  }
  req.addListener("close", saw("request"));
  res.addListener("close", saw("response"));
  req.connection.addListener("close", saw("connection"));
  res.sendHeader(200, { "Content-Type": "text/plain" });
  res.sendBody("waiting\n");
};
exports.hanging = function () { return hanging; };
exports.silent = function (req, res) {};
exports.closed = function () {
  var p = new process.Promise();
  if (closes.length > 0) p.emitSuccess(closes);
  else waiters.push(p);
  return p;
};

// A large body written as fast as the client takes it: sendBody() returning
// false stops the writing until "drain". exports.stalled() is a promise
// fired once a write has returned false.
var PIECE = new Array(64 * 1024 + 1).join("x"), stalls = [], stalled = false;
exports.flood = function (req, res) {
  var pieces = Number(req.uri.params.pieces), sent = 0;
  res.sendHeader(200, { "Content-Type": "text/plain" });
  function pump() {
    while (sent < pieces) {
      sent++;
      if (!res.sendBody(PIECE)) {
        stalled = true;
        stalls.splice(0).forEach(function (p) { p.emitSuccess(sent); });
        return;
      }
    }
    res.finish();
  }
  res.addListener("drain", pump);
  pump();
};
exports.stalled = function () {
  var p = new process.Promise();
  if (stalled) p.emitSuccess(true);
  else stalls.push(p);
  return p;
};

// Writes without heeding sendBody()'s false until a write is refused;
// answers what it threw at that point (exports.refused()).
var refusals = [];
exports.ignoreFull = function (req, res) {
  res.sendHeader(200, { "Content-Type": "text/plain" });
  var accepted = 0;
  for (var i = 0; i < 10000; i++) {
    try {
      res.sendBody(PIECE);
    } catch (e) {
      refusals.push({ code: e.code, message: e.message, accepted: accepted });
      break;
    }
    accepted += PIECE.length;
  }
  res.finish();
};
exports.refused = function () { return refusals; };

// Throws at the point the request asks for.
exports.boom = function (req, res) {
  var where = req.uri.params.at;
  if (where === "handler") throw new Error("boom in the handler");
  req.addListener("complete", function () {
    if (where === "complete") throw new TypeError("boom on complete");
    res.sendHeader(200, { "Content-Type": "text/plain" });
    // Past 64 KiB a piece goes to twisted.web at once: a throw after it
    // can only cut the response.
    res.sendBody(where === "after-body" ? new Array(70001).join("x") : "partly");
    if (where === "after-body") throw new Error("boom after some body");
    res.finish();
  });
};

// Wrong arguments to the response: the error it throws, as the answer.
exports.misuse = function (req, res) {
  var errors = [];
  function attempt(f) { try { f(); errors.push(null); } catch (e) { errors.push(e.name + ": " + e.message); } }
  attempt(function () { res.sendBody("too early"); });
  attempt(function () { res.sendHeader("abc", {}); });
  attempt(function () { res.sendHeader(200, { "bad name": "x" }); });
  attempt(function () { res.sendHeader(200, { "X-Split": "a\r\nb" }); });
  attempt(function () { res.sendHeader(200, 7); });
  res.sendHeader(200, { "Content-Type": "application/json" });
  attempt(function () { res.sendHeader(200, {}); });
  res.sendBody(JSON.stringify(errors));
  res.finish();
};

// --- for NodeService.call ---------------------------------------------------------

exports.add = function (a, b) { return a + b; };
exports.echoValue = function (v) { return v; };
exports.nothing = function () {};
exports.fails = function (message) {
  var e = new RangeError(message);
  e.code = "EFAILS";
  throw e;
};
exports.later = function (value) {
  var p = new process.Promise();
  setTimeout(function () { p.emitSuccess(value, "second"); }, 0);
  return p;
};
exports.laterOne = function (value) {
  var p = new process.Promise();
  setTimeout(function () { p.emitSuccess(value); }, 0);
  return p;
};
exports.laterFails = function (message) {
  var p = new process.Promise();
  setTimeout(function () { p.emitError(new Error(message)); }, 0);
  return p;
};
var cancelled = 0;
exports.forever = function () {
  var p = new process.Promise();
  p.addCancelback(function () { cancelled++; });
  return p;
};
exports.cancelled = function () { return cancelled; };
exports.notData = function () { return function () {}; };
exports.exit = function (code) { process.exit(code); };
exports.notAFunction = 42;

sys.puts("web_app.js ready");
