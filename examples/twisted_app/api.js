// The /api subtree of app.tac's twisted.web site, and a function the
// application's Python code calls (exports.stats). The inventory is a Python
// addon (inventory.py) whose queries run in Twisted's thread pool: each
// returns a process.Promise.
var sys = require("sys");
var inventory = require("./inventory");

var served = 0, failed = 0;

function answer(res, status, value) {
  res.sendHeader(status, { "Content-Type": "application/json; charset=utf-8" });
  res.sendBody(JSON.stringify(value) + "\n", "utf8");
  res.finish();
}

function item(row) { return { name: row[0], count: row[1] }; }

var ITEM = /^\/items\/([^\/]+)$/;

// GET /api/items, GET /api/items/NAME, POST /api/items/NAME (body: how many
// more came in).
exports.api = function (req, res) {
  served++;
  var path = req.uri.path, match = ITEM.exec(path), body = "";
  req.addListener("body", function (chunk) { body += chunk; });
  req.addListener("complete", function () {
    var query;
    if (path === "/items" && req.method === "GET") {
      query = inventory.everything();
      query.addCallback(function (rows) { answer(res, 200, rows.map(item)); });
    } else if (match && req.method === "GET") {
      query = inventory.find(decodeURIComponent(match[1]));
      query.addCallback(function (rows) {
        if (rows.length === 0) answer(res, 404, { error: "no such item" });
        else answer(res, 200, item(rows[0]));
      });
    } else if (match && req.method === "POST") {
      var count = parseInt(body, 10);
      if (!(count > 0)) return answer(res, 400, { error: "the body must be a positive number" });
      var name = decodeURIComponent(match[1]);
      query = inventory.restock(name, count);
      query.addCallback(function () {
        sys.puts("restocked " + count + " " + name);
        answer(res, 200, { restocked: name, count: count });
      });
    } else {
      return answer(res, 404, { error: "no such API: " + req.method + " " + path });
    }
    query.addErrback(function (e) {
      failed++;
      sys.error("inventory query failed: " + e);
      answer(res, 500, { error: "the inventory failed" });
    });
  });
};

// For the Python side (NodeService.call("stats")).
exports.stats = function () {
  return { served: served, failed: failed };
};

sys.puts("api.js ready");
