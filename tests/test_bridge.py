"""The bridge (twisted_node/jsbridge) in-process: value conversion both ways,
errors crossing from Python to JS, Deferreds as promises, the single door,
and one V8 context per Runtime.

Each test runs a real Runtime (V8 context, lib/node.js booted) on a
task.Clock, so every reactor turn is explicit and nothing leaks between tests.
"""

from __future__ import annotations

import errno
import json
import time

from twisted.internet import defer
from twisted.internet.task import Clock
from twisted.trial import unittest

from twisted_node.jsbridge import errors, promises
from twisted_node.jsbridge.context import CompileError
from twisted_node.jsbridge.runtime import Runtime

# Boots the runtime without a script file; defines nothing by itself.
_BOOT = "GLOBAL.bootedForTest = true;"
# The UTF-16 code units of a JS string, as CODE of each joined with SEP.
_CHAR_CODES = (
    "(function (s) { var a = []; for (var i = 0; i < s.length; i++) a.push(CODE); return a.join('SEP'); })"
)


class RuntimeTestCase(unittest.TestCase):
    def setUp(self):
        self.clock = Clock()
        self.runtime = Runtime(None, reactor=self.clock)
        self.runtime.run_source(_BOOT, "/test/boot.js")
        self.assertIsNotNone(self.runtime.js, "the runtime did not boot")
        self.addCleanup(self.end_program)

    def end_program(self):
        self.runtime.stop(0)
        self.turn()

    def turn(self, seconds=0.0, times=5):
        """Run due reactor calls (a few turns: one may schedule the next)."""
        for _ in range(times):
            self.clock.advance(seconds)
            seconds = 0.0

    def js(self, source, origin="/test/probe.js"):
        """Evaluate `source` in the program's context (a function expression
        to call from Python, usually)."""
        with self.runtime.context:
            return self.runtime.context.compile(source, origin)

    def call(self, fn, *args):
        with self.runtime.context:
            return fn(*args)


class ToJS(RuntimeTestCase):
    def describe(self, value):
        """What JavaScript sees of a value converted by the bridge."""
        probe = self.js(
            "(function (v) { return JSON.stringify({json: JSON.stringify(v), isArray: Array.isArray(v),"
            " type: typeof v, isNull: v === null, proto: Object.prototype.toString.call(v),"
            " keys: v !== null && typeof v === 'object' ? Object.keys(v) : null}); })"
        )
        converted = self.runtime.to_js(value)
        return json.loads(self.call(probe, converted))

    def test_dict_is_native_object(self):
        seen = self.describe({"a": 1, "b": "two", "c": None, "d": True, "e": 1.5})
        self.assertEqual(json.loads(seen["json"]), {"a": 1, "b": "two", "c": None, "d": True, "e": 1.5})
        self.assertEqual(seen["proto"], "[object Object]")
        self.assertEqual(seen["keys"], ["a", "b", "c", "d", "e"])

    def test_list_and_tuple_are_native_arrays(self):
        for value in ([1, "x", None], (1, "x", None)):
            seen = self.describe(value)
            self.assertTrue(seen["isArray"], value)
            self.assertEqual(json.loads(seen["json"]), [1, "x", None])

    def test_nested(self):
        value = {"list": [1, [2, {"deep": [None]}]], "obj": {"k": {"kk": "v"}}}
        seen = self.describe(value)
        self.assertEqual(json.loads(seen["json"]), value)
        inner = self.js(
            "(function (v) { return Array.isArray(v.list[1]) && Array.isArray(v.list[1][1].deep); })"
        )
        self.assertTrue(self.call(inner, self.runtime.to_js(value)))

    def test_none_is_null(self):
        seen = self.describe(None)
        self.assertTrue(seen["isNull"])

    def test_bytes_are_binary_strings(self):
        data = bytes(range(256))
        seen = self.describe(data)
        self.assertEqual(seen["type"], "string")
        codes = self.js(_CHAR_CODES.replace("CODE", "s.charCodeAt(i)").replace("SEP", ","))
        self.assertEqual(self.call(codes, self.runtime.to_js(data)), ",".join(map(str, range(256))))
        seen = self.describe({"payload": b"\x00\xff"})
        self.assertEqual(json.loads(seen["json"]), {"payload": "\x00\xff"})

    def test_astral_characters_survive(self):
        text = "a\U0001f600b\u00e9\U00010348"
        units = self.js(_CHAR_CODES.replace("CODE", "s.charCodeAt(i).toString(16)").replace("SEP", " "))
        expected = "61 d83d de00 62 e9 d800 df48"
        self.assertEqual(self.call(units, self.runtime.to_js(text)), expected)
        # Inside a dict (one JSON crossing), checked on the JS side.
        nested = self.js(
            "(function (v, units) { return units(v.s) + ' | ' + units(v.list[0]) + ' | '"
            " + units(Object.keys(v.o)[0]); })"
        )
        with self.runtime.context:
            got = nested(self.runtime.to_js({"s": text, "list": [text], "o": {text: 1}}), units)
        self.assertEqual(got, " | ".join([expected] * 3))

    def test_astral_characters_back_to_python(self):
        make = self.js("(function () { return 'x\\ud83d\\ude00y'; })")
        self.assertEqual(self.call(make), "x\U0001f600y")

    def test_dict_with_functions_is_native(self):
        """A dict holding callables (a binding, an addon's exports) must
        still arrive as a native object: its keys enumerable, JSON.stringify
        working, its functions callable."""
        value = {"n": 1, "f": lambda x: x * 2, "list": [1, len]}
        probe = self.js(
            "(function (v) { return JSON.stringify([Object.keys(v), v.f(21), Array.isArray(v.list),"
            " v.list[1]('abc'), JSON.stringify(v)]); })"
        )
        keys, doubled, is_array, length, text = json.loads(self.call(probe, self.runtime.to_js(value)))
        self.assertEqual(sorted(keys), ["f", "list", "n"])
        self.assertEqual(doubled, 42)
        self.assertTrue(is_array)
        self.assertEqual(length, 3)
        self.assertEqual(json.loads(text), {"n": 1, "list": [1, None]})


class ToPython(RuntimeTestCase):
    def test_arrays_objects_scalars(self):
        make = self.js("(function () { return {a: [1, 'two', null, true, 2.5, {b: []}], s: 'x'}; })")
        value = self.runtime.to_py(self.call(make))
        self.assertEqual(value, {"a": [1, "two", None, True, 2.5, {"b": []}], "s": "x"})

    def test_functions_stay_handles(self):
        make = self.js("(function () { return {f: function (x) { return x + 1; }}; })")
        value = self.runtime.to_py(self.call(make))
        self.assertEqual(self.call(value["f"], 1), 2)


class Errors(RuntimeTestCase):
    def throws(self, exc):
        """What JS catches when a Python function it calls raises `exc`."""

        def fail():
            raise exc

        probe = self.js(
            "(function (f) { try { f(); return 'no throw'; } catch (e) {"
            " return JSON.stringify({isError: e instanceof Error, name: e.name, message: e.message,"
            " ctor: e.constructor.name, code: e.code, errno: e.errno, path: e.path, extra: e.extra}); } })"
        )
        return json.loads(self.call(probe, self.runtime.to_js(fail)))

    def test_jserror_with_properties(self):
        seen = self.throws(errors.NodeError("port busy", code="EADDRINUSE", extra=[1, 2]))
        self.assertEqual(seen["message"], "port busy")
        self.assertEqual(seen["code"], "EADDRINUSE")
        self.assertEqual(seen["extra"], [1, 2])
        self.assertTrue(seen["isError"])

    def test_jserror_with_own_name(self):
        seen = self.throws(errors.NodeError("range", name="RangeError"))
        self.assertEqual((seen["ctor"], seen["name"]), ("RangeError", "RangeError"))
        seen = self.throws(errors.NodeError("custom", name="ParseError"))
        self.assertTrue(seen["isError"])
        self.assertEqual(seen["name"], "ParseError")

    def test_oserror(self):
        seen = self.throws(FileNotFoundError(errno.ENOENT, "No such file or directory", "/no/such"))
        self.assertEqual(seen["code"], "ENOENT")
        self.assertEqual(seen["errno"], errno.ENOENT)
        self.assertEqual(seen["path"], "/no/such")
        self.assertIn("/no/such", seen["message"])

    def test_typeerror_and_valueerror(self):
        self.assertEqual(self.throws(TypeError("wanted a string"))["ctor"], "TypeError")
        seen = self.throws(ValueError("bad value"))
        self.assertEqual((seen["ctor"], seen["message"]), ("Error", "bad value"))


class Describe(unittest.TestCase):
    """errors.describe: what a Python exception looks like as a JS Error."""

    def test_jserror(self):
        described = errors.describe(errors.NodeError("m", name="TypeError", code="X"))
        self.assertEqual(described, ("TypeError", "m", {"code": "X"}))

    def test_oserror_with_path(self):
        name, message, props = errors.describe(OSError(errno.EACCES, "Permission denied", "/etc/shadow"))
        self.assertEqual(name, "Error")
        self.assertEqual(props, {"errno": errno.EACCES, "code": "EACCES", "path": "/etc/shadow"})
        self.assertEqual(message, "EACCES, Permission denied '/etc/shadow'")

    def test_oserror_two_paths_and_bytes(self):
        _, message, props = errors.describe(OSError(errno.EXDEV, "Cross-device link", b"/a\xff", None, "/b"))
        self.assertEqual(props["path"], "/a\ufffd")
        self.assertEqual(props["dest"], "/b")
        self.assertIn("-> '/b'", message)

    def test_oserror_without_path_or_errno(self):
        self.assertEqual(
            errors.describe(OSError(errno.ECONNREFUSED, "Connection refused")),
            (
                "Error",
                "ECONNREFUSED, Connection refused",
                {"errno": errno.ECONNREFUSED, "code": "ECONNREFUSED"},
            ),
        )
        name, message, props = errors.describe(OSError("no errno at all"))
        self.assertEqual(name, "Error")
        self.assertIn("no errno at all", message)
        _, _, props = errors.describe(OSError(99999, "made up"))
        self.assertEqual(props["code"], "EUNKNOWN")

    def test_python_errors(self):
        self.assertEqual(errors.describe(TypeError("t")), ("TypeError", "t", {}))
        self.assertEqual(errors.describe(ValueError("v")), ("Error", "v", {}))
        self.assertEqual(errors.describe(KeyError("k")), ("Error", "k", {}))
        self.assertEqual(errors.describe(ValueError()), ("Error", "ValueError", {}))
        self.assertEqual(errors.describe(RuntimeError("r")), ("Error", "RuntimeError: r", {}))


class Promises(RuntimeTestCase):
    def watch(self, d):
        """Convert `d`, and record in JS what the promise emits."""
        watch = self.js(
            "(function (p) { GLOBAL.seen = []; GLOBAL.isPromise = p instanceof process.Promise;"
            " var slice = Array.prototype.slice;"
            " p.addCallback(function () { seen.push(['success'].concat(slice.call(arguments))); });"
            " p.addErrback(function () { seen.push(['error'].concat(slice.call(arguments).map(function (a) {"
            " return a instanceof Error ? {message: a.message, code: a.code} : a; }))); }); })"
        )
        self.call(watch, self.runtime.to_js(d))
        self.assertTrue(self.call(self.js("(function () { return isPromise; })")))

    def seen(self):
        return json.loads(self.call(self.js("(function () { return JSON.stringify(seen); })")))

    def test_success_with_several_arguments(self):
        d = defer.Deferred()
        self.watch(d)
        self.assertEqual(self.runtime.loop.labels(), ["promise"], "a pending promise holds the program")
        d.callback(promises.Args("data", 3))
        self.assertEqual(self.seen(), [["success", "data", 3]])
        self.assertEqual(self.runtime.loop.count, 0)

    def test_single_value_and_structures(self):
        d = defer.Deferred()
        self.watch(d)
        d.callback({"a": [1, 2]})
        self.assertEqual(self.seen(), [["success", {"a": [1, 2]}]])

    def test_already_fired(self):
        self.watch(defer.succeed("now"))
        self.assertEqual(self.seen(), [["success", "now"]])

    def test_rejection_arguments(self):
        d = defer.Deferred()
        self.watch(d)
        d.errback(promises.Rejection(2, "out", "err"))
        self.assertEqual(self.seen(), [["error", 2, "out", "err"]])

    def test_oserror(self):
        d = defer.Deferred()
        self.watch(d)
        d.errback(OSError(errno.ENOENT, "No such file or directory", "/x"))
        error = {"message": "ENOENT, No such file or directory '/x'", "code": "ENOENT"}
        self.assertEqual(self.seen(), [["error", error]])

    def test_to_deferred(self):
        make = self.js("(function () { var p = new process.Promise(); GLOBAL.pending = p; return p; })")
        d = promises.to_deferred(self.runtime, self.call(make))
        results = []
        d.addBoth(results.append)
        self.call(self.js("(function () { pending.emitSuccess('a', [1]); })"))
        self.assertEqual(results, [promises.Args("a", [1])])


class Door(RuntimeTestCase):
    def test_exception_goes_to_uncaught_listener(self):
        setup = self.js(
            "(function () { GLOBAL.caught = null;"
            " process.addListener('uncaughtException', function (e) { caught = e.message; });"
            " return function (x) { throw new Error('thrown with ' + x); }; })"
        )
        cb = self.runtime.callback(self.call(setup))
        self.assertIsNone(cb("arg"))
        self.assertEqual(self.call(self.js("(function () { return caught; })")), "thrown with arg")
        self.assertFalse(self.runtime.finished)

    def test_results_and_arguments_cross(self):
        cb = self.runtime.callback(self.js("(function (a, b) { return JSON.stringify([a, b]); })"))
        self.assertEqual(json.loads(cb({"k": [1]}, None)), [{"k": [1]}, None])
        self.assertEqual(json.loads(cb(b"\xff", "s")), ["\xff", "s"])

    def test_every_kind_of_argument_crosses_converted(self):
        """Plain values take the door's fast path (convert.crosses_as_is);
        anything else is converted as before: astral characters, bytes,
        dicts, a Python callable."""
        cb = self.runtime.callback(
            self.js("(function (n, s, t, o, f) { return JSON.stringify([n, s, s.length, t, o, typeof f]); })")
        )
        self.assertEqual(json.loads(cb(7, "plain", True, None, None)), [7, "plain", 5, True, None, "object"])
        # A character outside the BMP crosses as a surrogate pair (length 2),
        # among plain values and among others.
        self.assertEqual(
            json.loads(cb(1, "caf\u00e9 \U0001f600", False, None, None)),
            [1, "caf\u00e9 \U0001f600", 7, False, None, "object"],
        )
        self.assertEqual(
            json.loads(cb(1.5, "caf\u00e9 \U0001f600", b"\x01", {"k": [1]}, len)),
            [1.5, "caf\u00e9 \U0001f600", 7, "\x01", {"k": [1]}, "function"],
        )

    def test_nexttick_runs_after_the_call(self):
        cb = self.runtime.callback(
            self.js(
                "(function () { GLOBAL.order = ['call'];"
                " process.nextTick(function () { order.push('tick'); }); })"
            )
        )
        cb()
        self.assertEqual(self.call(self.js("(function () { return order.join(); })")), "call,tick")

    def test_exit_in_callback_and_no_op_after(self):
        cb = self.runtime.callback(
            self.js("(function () { GLOBAL.calls = (GLOBAL.calls || 0) + 1; process.exit(6); })")
        )
        codes = []
        self.runtime.whenFinished().addCallback(codes.append)
        cb()
        self.assertTrue(self.runtime.finished)
        self.turn()
        self.assertEqual(codes, [6])
        self.assertIsNone(cb())
        self.assertEqual(self.call(self.js("(function () { return calls; })")), 1)


class Lifetime(RuntimeTestCase):
    def test_idle_program_ends_with_exit_event(self):
        setup = self.js(
            "(function () { GLOBAL.exits = [];"
            " process.addListener('exit', function (c) { exits.push(c); }); })"
        )
        self.call(setup)
        codes = []
        self.runtime.whenFinished().addCallback(codes.append)
        self.turn()
        self.assertEqual(codes, [0])
        self.assertEqual(self.call(self.js("(function () { return JSON.stringify(exits); })")), "[0]")

    def test_timer_keeps_program_alive(self):
        self.call(self.js("(function () { setTimeout(function () { GLOBAL.fired = true; }, 20); })"))
        codes = []
        self.runtime.whenFinished().addCallback(codes.append)
        self.turn()
        self.assertEqual(codes, [])
        self.assertEqual(self.runtime.loop.labels(), ["timer"])
        # JS timers compare due times with Date.now(): let real time pass too.
        time.sleep(0.03)
        self.turn(0.03)
        self.assertTrue(self.call(self.js("(function () { return GLOBAL.fired; })")))
        self.assertEqual(codes, [0])

    def test_cleared_timer_does_not(self):
        self.call(self.js("(function () { clearTimeout(setTimeout(function () {}, 60000)); })"))
        self.assertEqual(self.runtime.loop.count, 0)
        self.turn()
        self.assertEqual(self.successResultOf(self.runtime.whenFinished()), 0)

    def test_hold_closed_when_program_exits(self):
        closed = []
        self.runtime.loop.hold("server", close=lambda: closed.append("server"))
        self.runtime.stop(3)
        self.turn()
        self.assertEqual(closed, ["server"])
        self.assertEqual(self.successResultOf(self.runtime.whenFinished()), 3)


class Contexts(unittest.TestCase):
    def two_runtimes(self, first_source: str):
        """Two programs in this process ("who" tells them apart), stopped
        when the test ends."""
        clock = Clock()
        first = Runtime(None, reactor=clock)
        second = Runtime(None, reactor=clock)
        first.run_source("GLOBAL.who = 'first'; " + first_source, "/test/first.js")
        second.run_source("GLOBAL.who = 'second';", "/test/second.js")

        def stop():
            first.stop(0)
            second.stop(0)
            for _ in range(5):
                clock.advance(0)

        self.addCleanup(stop)
        return first, second

    def test_separate_globals(self):
        first, second = self.two_runtimes("process.mixin({sharedName: 1});")
        for runtime, expected in ((first, "first|number"), (second, "second|undefined")):
            with runtime.context:
                source = "(function () { return who + '|' + typeof sharedName; })"
                probe = runtime.context.compile(source, "/p.js")
                self.assertEqual(probe(), expected)

    def test_a_second_runtime_takes_every_kind_of_argument(self):
        """Calls into a runtime whose context is not the resident one convert
        their arguments in that context."""
        _, second = self.two_runtimes("")
        with second.context:
            source = "(function (a, s) { return JSON.stringify([a, s, who]); })"
            fn = second.context.compile(source, "/p.js")
        cb = second.callback(fn)
        self.assertEqual(json.loads(cb({"k": [1]}, "\U0001f600")), [{"k": [1]}, "\U0001f600", "second"])
        self.assertEqual(json.loads(cb(2, "plain")), [2, "plain", "second"])


class Compile(RuntimeTestCase):
    def test_syntax_error_names_origin_line_column(self):
        with self.runtime.context, self.assertRaises(CompileError) as caught:
            self.runtime.context.compile("var ok = 1;\nvar = 2;\n", "/test/broken.js")
        e = caught.exception
        self.assertEqual((e.name, e.origin, e.line), ("SyntaxError", "/test/broken.js", 2))
        self.assertIn("/test/broken.js:2:", e.stack())

    def test_runtime_error_stack_names_origin(self):
        fn = self.js("(function () {\n  try { null.x; } catch (e) { return e.stack; }\n})", "/test/origin.js")
        self.assertIn("/test/origin.js:2:", self.call(fn))
