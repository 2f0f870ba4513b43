"""process.binding(name): the layer between the protocols and JavaScript.

One module here per binding name. A binding translates: it builds the
protocols' objects (twisted_node/protocols, pure Twisted) for lib/NAME.js,
and turns their events and results into what JavaScript receives. It gets a
`Host` (host.py), the few parts of the runtime a binding may use, never the
Runtime itself. docs/ARCHITECTURE.md puts this layer in its place.

The contract:

* ``binding(host) -> dict``: names to plain Python callables or values; the
  bridge makes it a native JS object once, when lib/NAME.js first calls
  ``process.binding(name)``.
* Calls from JS: strings, numbers, booleans, None (null/undefined), and the
  opaque Python handles a binding returned earlier (a connection, a child).
  Return values are converted by the bridge: str/int/float/bool/None as
  they are, dict/list/tuple/bytes into native JS values, a Deferred into a
  process.Promise (fire it with ``jsbridge.promises.Args(a, b)`` for several
  success arguments, fail it with ``Rejection(a, b)`` for arbitrary error
  arguments), which keeps the program alive until it fires.
* Errors: raise ``twisted_node.errors.NodeError(message, name=..., **props)``
  (or OSError, TypeError, ValueError) to throw the matching JS Error.
* Events, ONE convention (events.py): a binding that has events exports
  ``init``, which lib/NAME.js calls once with its one event function
  (wrapped by lib/internal/events.js); every event is then
  ``events(id, code, *args)`` here and ``onEvent(id, code, ...args)``
  there: `id` the number JavaScript knows the object by (JS picks it, and
  passes it when it makes the object or answers the event that announced
  it; the REPL hub and the web hub number their sessions and requests
  themselves), `code` one of the
  binding's event constants (exported with it, so both sides agree by
  construction), then plain arguments. Python holds no JS object; JS keeps
  `id -> object` only while the object can get events.
* What the program writes during an event may come back as the event's
  result instead of crossing once per write (events.py, batched writes):
  the binding writes it when the call returns.
* Anything that keeps the program alive holds ``host.hold(label, close)`` and
  releases it when it can no longer produce events.
"""

from __future__ import annotations

import importlib

# name -> module implementing binding(host). Imported on first use, so a
# program that never touches HTTP never pays for importing httptools.
REGISTRY = {
    name: f"twisted_node.bindings.{name}"
    for name in (
        "natives",
        "timers",
        "stdio",
        "tcp",
        "http",
        "posix",
        "dns",
        "child_process",
        "watch",
        "multipart",
        "repl",
        "web",
    )
}


def load(name: str, host) -> dict:
    try:
        module_name = REGISTRY[name]
    except KeyError:
        raise ValueError(f"no such binding: {name!r}") from None
    return importlib.import_module(module_name).binding(host)
