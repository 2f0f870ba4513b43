// The ClientRequest "response" event used directly: the manual says a
// listener is "typically" set through request.finish(responseListener), so
// one added with addListener("response") before a bare finish() must get
// the response too, in time to catch all of its body. With both, the
// listeners run in the order they were added (finish adds its own).
var http = require("http");
var assert = require("assert");

// Closes after its second answer, whatever the client saw: a listener that
// is never called fails the checks at "exit" instead of hanging the test.
var answered = 0;
var server = http.createServer(function (request, response) {
  response.sendHeader(200, {"Content-Type": "text/plain", "Content-Length": "5"});
  response.sendBody("hello");
  response.finish();
  if (++answered === 2) server.close();
});
server.listen(0, "127.0.0.1");
var client = http.createClient(server.port, "127.0.0.1");

var seen = [];
var direct = client.request("GET", "/direct");
direct.addListener("response", function (response) {
  seen.push("response " + response.statusCode);
  response.addListener("body", function (chunk) { seen.push("body " + chunk); });
  response.addListener("complete", function () { seen.push("complete"); });
});
direct.finish();

var order = [];
var both = client.request("GET", "/both");
both.addListener("response", function () { order.push("added first"); });
both.finish(function () { order.push("given to finish"); });

process.addListener("exit", function () {
  assert.deepEqual(seen, ["response 200", "body hello", "complete"]);
  assert.deepEqual(order, ["added first", "given to finish"]);
});
