// The manual's hello world, fetched by the runtime's own client: status,
// headers, body, keep-alive reuse of one connection, request.uri and
// request.headers as the manual shows them, HEAD, repeated response headers,
// and the server's "connection" and "close" events.
var sys = require("sys"), http = require("http"), assert = require("assert");

var connections = 0, requests = [], closed = 0, completes = 0;
var server = http.createServer(function (request, response) {
  requests.push(request);
  request.addListener("complete", function () { completes++; });
  if (request.uri.path === "/cookies") {
    response.sendHeader(200, [["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"], ["Content-Length", "0"]]);
    response.finish();
    return;
  }
  response.sendHeader(200, {"Content-Type": "text/plain"});
  response.sendBody("Hello World\n");
  response.finish();
});
server.addListener("connection", function (conn) {
  connections++;
  assert.equal(conn.remoteAddress, "127.0.0.1");
});
server.addListener("close", function (errorno) {
  assert.equal(errorno, 0);
  closed++;
});
server.listen(0, "127.0.0.1");
assert.ok(server.port > 0);
assert.equal(server.address().port, server.port);

var client = http.createClient(server.port, "127.0.0.1");
var results = [];

function fetch(method, path, headers, then) {
  var req = client.request(method, path, headers);
  req.finish(function (response) {
    var body = "";
    response.setBodyEncoding("utf8");
    response.addListener("body", function (chunk) { body += chunk; });
    response.addListener("complete", function () {
      results.push(path);
      then(response, body);
    });
  });
}

fetch("GET", "/status?name=ryan&x=1&x=2&sp=a+b%20c#frag", {"Accept": "text/plain", "X-Twice": "1"}, function (res, body) {
  assert.equal(res.statusCode, 200);
  assert.equal(res.httpVersion, "1.1");
  assert.equal(res.headers["content-type"], "text/plain");
  assert.equal(res.headers["transfer-encoding"], "chunked");
  assert.equal(body, "Hello World\n");
  assert.equal(res.client, client);
  var req = requests[0];
  assert.equal(req.method, "GET");
  assert.equal(req.httpVersion, "1.1");
  assert.equal(req.uri.full, "/status?name=ryan&x=1&x=2&sp=a+b%20c#frag");
  assert.equal(req.uri.path, "/status");
  assert.equal(req.uri.queryString, "name=ryan&x=1&x=2&sp=a+b%20c");
  assert.equal(req.uri.fragment, "frag");
  assert.deepEqual(req.uri.params, {name: "ryan", x: ["1", "2"], sp: "a b c"});
  assert.equal(req.headers["accept"], "text/plain");
  assert.equal(req.headers["host"], "127.0.0.1:" + server.port);
  fetch("HEAD", "/", undefined, function (res, body) {
    assert.equal(res.statusCode, 200);
    assert.equal(body, "");
    fetch("GET", "/cookies", [["X-Twice", "1"], ["x-twice", "2"]], function (res, body) {
      assert.equal(res.headers["set-cookie"], "a=1, b=2");
      assert.equal(requests[2].headers["x-twice"], "1, 2");
      // path only: method defaults to GET
      var req = client.request("/plain");
      req.finish(function (res) {
        res.addListener("complete", function () {
          assert.equal(requests[3].method, "GET");
          assert.equal(requests[3].uri.path, "/plain");
          assert.deepEqual(requests[3].uri.params, {});
          server.close();
        });
      });
    });
  });
});

process.addListener("exit", function () {
  assert.deepEqual(results, ["/status?name=ryan&x=1&x=2&sp=a+b%20c#frag", "/", "/cookies"]);
  assert.equal(requests.length, 4);
  assert.equal(completes, 4);
  assert.equal(connections, 1, "keep-alive: one connection for every request");
  assert.equal(closed, 1);
  sys.puts("ok");
});
