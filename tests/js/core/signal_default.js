// Signal listeners: the OS handler stays while any listener is left; removing
// the last one restores the default action, so the last SIGUSR1 kills us.
var sys = require("sys");
var keepAlive = setTimeout(function () { sys.puts("survived"); }, 20000);
var round = 0;
function other() { sys.debug("other listener"); }
function onUsr1() {
  round++;
  sys.debug("handled SIGUSR1 #" + round);
  if (round === 1) {
    process.removeListener("SIGUSR1", other); // one listener is left
  } else {
    process.removeListener("SIGUSR1", onUsr1); // none left: default action
  }
  setTimeout(function () { process.kill(process.pid, "SIGUSR1"); }, 1);
}
process.addListener("SIGUSR1", onUsr1);
process.addListener("SIGUSR1", other);
process.kill(process.pid, "SIGUSR1");
