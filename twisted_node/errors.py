"""Errors as a program sees them, raised by any layer without knowing JavaScript.

A protocol or binding raises ``NodeError(message, code="ENOENT", ...)``; the
bridge (jsbridge/errors.py) turns it into the JavaScript Error the program
catches: the same message, ``name`` picking the constructor (Error,
TypeError, RangeError...), every other keyword an own property (code, errno,
path...). OSError, TypeError and ValueError are turned into JS Errors too.
"""

from __future__ import annotations


class NodeError(Exception):
    def __init__(self, message: str, name: str = "Error", **props):
        super().__init__(message)
        self.message = message
        self.name = name
        self.props = props


class JavaScriptError(NodeError):
    """What a JavaScript function threw, or what its promise failed with, as
    a Python caller gets it (NodeService.call): the JS error's `name`,
    `message` and `stack`, and its other own properties (code, errno...) in
    `props`. Being a NodeError, raised again by a Python addon it reaches
    JavaScript as the same kind of error."""

    def __init__(self, message: str, name: str = "Error", stack: str = "", props: dict | None = None):
        super().__init__(message, name)
        self.props = dict(props or {})
        self.stack = stack or f"{name}: {message}"

    def __str__(self) -> str:
        # The JS stack says where it happened: a logged Failure shows it.
        return self.stack


class ProgramNotRunning(RuntimeError):
    """A call into a program that has not started, or has ended."""
