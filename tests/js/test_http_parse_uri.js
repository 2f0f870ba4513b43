// http.parseUri(string), as Node v0.1.22 exported it: the object
// request.uri is, for any URI string (web frameworks of the time parsed
// form bodies with it).
var sys = require("sys"), http = require("http"), assert = require("assert");

// The manual's request.uri example.
assert.deepEqual(http.parseUri("/status?name=ryan"), {
  full: "/status?name=ryan", path: "/status", queryString: "name=ryan",
  params: {name: "ryan"}, fragment: ""
});

// A form body, as a framework of the era parsed one.
var form = "nick=bob+smith&text=a%26b%3D1&empty=&flag";
assert.deepEqual(http.parseUri("?" + form).params,
                 {nick: "bob smith", text: "a&b=1", empty: "", flag: ""});

// An absolute URI also has the parts of its authority.
assert.deepEqual(http.parseUri("http://ann:secret@example.com:8080/a/b.html?x=1#top"), {
  full: "http://ann:secret@example.com:8080/a/b.html?x=1#top", path: "/a/b.html",
  queryString: "x=1", params: {x: "1"}, fragment: "top",
  protocol: "http", authority: "ann:secret@example.com:8080", userInfo: "ann:secret",
  user: "ann", password: "secret", host: "example.com", port: "8080"
});
assert.deepEqual(http.parseUri("http://example.com"), {
  full: "http://example.com", path: "/", queryString: "", params: {}, fragment: "",
  protocol: "http", authority: "example.com", host: "example.com"
});

// The same object as request.uri, for what a client sends.
var seen = [];
var server = http.createServer(function (req, res) {
  assert.deepEqual(req.uri, http.parseUri(req.uri.full));
  seen.push(req.uri.full);
  res.sendHeader(200, {"Content-Length": "0"});
  res.finish();
});
server.listen(0, "127.0.0.1");
var client = http.createClient(server.port, "127.0.0.1");
client.request("GET", "/a/b?x=1&x=2&y=%C3%A9+z").finish(function (res) {
  res.addListener("complete", function () { server.close(); });
});

process.addListener("exit", function () {
  assert.deepEqual(seen, ["/a/b?x=1&x=2&y=%C3%A9+z"]);
  sys.puts("ok");
});
