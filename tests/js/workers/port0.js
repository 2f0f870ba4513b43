// Port 0 in a worker throws, saying why.
var tcp = require("tcp");
try {
  tcp.createServer(function () {}).listen(0);
} catch (e) {
  process.stdio.writeError(e.message + "\n");
}
setInterval(function () {}, 1000); // stays until stopped
