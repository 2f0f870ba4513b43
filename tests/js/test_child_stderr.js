// A child's stderr arrives on "error"; exit codes are passed through as they are.
var assert = require("assert");

var results = {};

function run(name, command, args) {
  var r = results[name] = { out: "", err: "", nulls: 0, code: null, late: 0 };
  var child = process.createChildProcess(command, args);
  child.addListener("output", function (d) {
    if (r.code !== null) r.late++;
    if (d === null) r.nulls++; else r.out += d;
  });
  child.addListener("error", function (d) {
    if (r.code !== null) r.late++;
    if (d === null) r.nulls++; else r.err += d;
  });
  child.addListener("exit", function (code) { r.code = code; });
}

run("stderr", "sh", ["-c", "echo to-out; echo to-err >&2; echo more-err >&2"]);
run("exit3", "sh", ["-c", "echo failing >&2; exit 3"]);
run("false", "false", []);
run("exit255", "sh", ["-c", "exit 255"]);
run("big", "sh", ["-c", "i=0; while [ $i -lt 2000 ]; do echo line-$i >&2; i=$((i+1)); done"]);

process.addListener("exit", function () {
  assert.equal(results.stderr.out, "to-out\n");
  assert.equal(results.stderr.err, "to-err\nmore-err\n");
  assert.equal(results.stderr.code, 0);
  assert.equal(results.exit3.err, "failing\n");
  assert.equal(results.exit3.code, 3);
  assert.equal(results["false"].code, 1);
  assert.equal(results.exit255.code, 255);
  var lines = results.big.err.split("\n");
  assert.equal(lines.length, 2001);
  assert.equal(lines[1999], "line-1999");
  for (var name in results) {
    assert.equal(results[name].nulls, 2, name + ": one null per stream");
    assert.equal(results[name].late, 0, name + ": nothing after exit");
  }
});
