"""The V8 context: compiling with a script origin, and JS errors as text."""

from __future__ import annotations

import os
import re

import STPyV8

from twisted_node.jsbridge.convert import js_str

# STPyV8 reports a compile error as a Python SyntaxError whose text is
# "SyntaxError: <message> ( <origin> @ <line> : <column> )  -> <source line>".
_COMPILE_ERROR = re.compile(
    r"^(?P<name>\w+): (?P<message>.*) \( (?P<origin>.*) @ (?P<line>\d+) : (?P<col>\d+) \)"
    r"\s*(?:-> (?P<source>.*))?$",
    re.S,
)


class CompileError(Exception):
    """Source that V8 refused to compile, with where and why."""

    def __init__(self, name: str, message: str, origin: str, line: int, column: int, source: str):
        super().__init__(message)
        self.name = name
        self.message = message
        self.origin = origin
        self.line = line
        self.column = column
        self.source = source

    def stack(self) -> str:
        where = f"{self.origin}:{self.line}:{self.column + 1}"
        return f"{where}\n{self.source}\n\n{self.name}: {self.message}\n    at {where}"


LIB_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib")


def lib_source(name: str) -> str:
    """The text of a JavaScript library file shipped in twisted_node/lib
    (package data, installed beside the code)."""
    with open(os.path.join(LIB_DIR, name), encoding="utf-8") as f:
        return f.read()


class Context:
    """One V8 context, entered around every call into it, so that several
    Runtimes can live in one process with separate globals.

    The first context of a process may become *resident*: entered once and
    left entered while its program runs, which saves entering it on every
    call (the common case: one program per process). Others are entered on
    top of it for the length of each call.
    """

    _resident: Context | None = None

    def __init__(self):
        self._ctx = STPyV8.JSContext()

    @property
    def resident(self) -> bool:
        return Context._resident is self

    def make_resident(self) -> None:
        if Context._resident is None:
            self._ctx.enter()
            Context._resident = self

    def release_resident(self) -> None:
        if Context._resident is self:
            Context._resident = None
            self._ctx.leave()

    def __enter__(self):
        self._ctx.enter()
        return self

    def __exit__(self, *exc):
        self._ctx.leave()

    @property
    def glob(self):
        return self._ctx.locals

    def compile(self, source: str, origin: str):
        """Evaluate `source` with `origin` as its file name in stack traces.

        Raises CompileError for a syntax error; a runtime exception escaping the
        top level propagates as STPyV8's NodeError.
        """
        try:
            return self._ctx.eval(js_str(source), origin)
        except SyntaxError as e:
            raise _compile_error(e, origin) from None


def _compile_error(e: SyntaxError, origin: str) -> CompileError:
    text = str(e)
    m = _COMPILE_ERROR.match(text)
    if m is None:
        return CompileError("SyntaxError", text, origin, 1, 0, "")
    return CompileError(
        m["name"],
        m["message"],
        m["origin"].strip() or origin,
        int(m["line"]),
        int(m["col"]),
        (m["source"] or "").rstrip(),
    )
