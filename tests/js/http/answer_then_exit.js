// Answers one request and ends the program in the same event: the answer
// must reach the client whole (what a program wrote before process.exit()
// goes out, as it did when writes were sent at once).
var http = require("http"), sys = require("sys");
var server = http.createServer(function (request, response) {
  response.sendHeader(200, {"Content-Type": "text/plain", "Content-Length": "4"});
  response.sendBody("bye\n");
  response.finish();
  process.exit(0);
});
server.listen(0, "127.0.0.1");
sys.puts("listening on 127.0.0.1:" + server.port);
