// Run with NODE_PATH=<mods/libpath>:<mods> and HOME set by the trial test.
var sys = require("sys");
sys.puts(JSON.stringify({
  paths: require.paths,
  libmod: require("libmod").name,
  sysIsBuiltin: typeof require("sys").puts === "function",
  viaSecond: require("c").name
}));
