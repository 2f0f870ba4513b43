// HTTPS whose certificate is replaced without a restart: on SIGHUP, and
// when the certificate file changes. Handshakes after a reload get the new
// certificate; connections already open keep theirs; a key that does not
// match its certificate (say, the key file is rewritten before the
// certificate) is refused and the old pair keeps serving.
//
//   twisted-node examples/https_reload.js PORT KEY_FILE CERT_FILE
//   kill -HUP <pid>          # or just replace CERT_FILE
var http = require("http"), posix = require("posix"), sys = require("sys");

var port = parseInt(process.ARGV[2], 10), keyFile = process.ARGV[3], certFile = process.ARGV[4];

var server = http.createServer(function (request, response) {
  response.sendHeader(200, { "Content-Type": "text/plain", "Content-Length": "6" });
  response.sendBody("hello\n");
  response.finish();
});

function load(then) {
  posix.cat(keyFile).addCallback(function (key) {
    posix.cat(certFile).addCallback(function (certificate) {
      try {
        server.setSecure("X509_PEM", null, null, key, certificate);
        sys.puts("certificate loaded");
      } catch (e) {
        sys.puts("certificate not loaded (the previous one serves on): " + e.message);
      }
      if (then) then();
    });
  });
}

load(function () {
  server.listen(port, "127.0.0.1");
  sys.puts("listening on port " + server.port);
  process.addListener("SIGHUP", function () { load(); });
  process.watchFile(certFile, function (current, previous) {
    if (current.mtime.getTime() !== previous.mtime.getTime()) load();
  });
});
