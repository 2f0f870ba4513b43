"""process.binding(name): the registry of Python bindings JavaScript can reach.

The contract every binding keeps (layer 1 of DESIGN.md):

* A binding is a module with ``binding(runtime) -> dict``. The dict maps names
  to plain Python callables or values; the bridge turns it into a native JS
  object once, when ``process.binding(name)`` is first called.
* Calls from JS pass strings, numbers, booleans, None (null/undefined), and
  JS functions/objects as STPyV8 handles. Keep those handles in one place
  and drop them when the handle they belong to closes.
* To call back into JS, wrap a JS function once with ``runtime.callback(fn)``
  and call the result; it goes through the single door (uncaught exceptions,
  process.exit, nextTick) and does nothing once the program has ended.
* A JS value Python holds (function, object, array) may be handed back to JS
  only ONCE, as an argument or a return value: STPyV8 delivers it as a Python
  host object from the second time on (identity lost, methods gone). So keep
  JS objects on the JS side (a table keyed by id, or closures) and send ids,
  strings and numbers across; wrap functions once with runtime.callback.
* Return values are converted by the bridge: str/int/float/bool/None as they
  are; dict/list/tuple/bytes into native JS values; a Deferred into a
  process.Promise (fire it with ``promises.Args(a, b)`` for several success
  arguments, fail it with ``promises.Rejection(a, b)`` for arbitrary error
  arguments; an OSError becomes an Error with message, errno, code and path).
  A Deferred returned this way also keeps the program alive until it fires.
* Raising ``errors.JSError(message, name=..., **props)``, an OSError, a
  TypeError or a ValueError throws the matching JS Error in the caller.
* Anything that keeps the program alive holds ``runtime.loop.hold(label,
  close)`` and releases it when it can no longer produce events.
"""

from __future__ import annotations

import importlib

# name -> module implementing binding(runtime). Imported on first use, so a
# program that never touches HTTP never pays for importing httptools.
REGISTRY = {
    "natives": "twisted_node.natives",
    "timers": "twisted_node.timers",
    "stdio": "twisted_node.protocols.stdio",
    "tcp": "twisted_node.protocols.tcp",
    "http": "twisted_node.protocols.http",
    "posix": "twisted_node.posix",
    "dns": "twisted_node.protocols.dns",
    "child_process": "twisted_node.protocols.process",
    "watch": "twisted_node.protocols.watch",
    "multipart": "twisted_node.protocols.multipart",
    "repl": "twisted_node.protocols.repl",
}


def load(name: str, runtime) -> dict:
    try:
        module_name = REGISTRY[name]
    except KeyError:
        raise ValueError(f"no such binding: {name!r}") from None
    return importlib.import_module(module_name).binding(runtime)
