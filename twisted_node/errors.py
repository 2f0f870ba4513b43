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
