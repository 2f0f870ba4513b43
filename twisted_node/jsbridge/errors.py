"""Python exceptions as JavaScript Errors: what each looks like in JS."""

from __future__ import annotations

import errno as _errno

from twisted_node.errors import NodeError


def describe(exc: BaseException) -> tuple[str, str, dict]:
    """(JS error name, message, extra properties) for any Python exception."""
    if isinstance(exc, NodeError):
        return exc.name, exc.message, exc.props
    if isinstance(exc, OSError) and exc.errno is not None:
        code = _errno.errorcode.get(exc.errno, "EUNKNOWN")
        props = {"errno": exc.errno, "code": code}
        message = f"{code}, {exc.strerror}"
        if exc.filename is not None:
            path = _path_text(exc.filename)
            props["path"] = path
            message += f" '{path}'"
            if exc.filename2 is not None:
                props["dest"] = _path_text(exc.filename2)
                message += f" -> '{props['dest']}'"
        return "Error", message, props
    if isinstance(exc, TypeError):
        return "TypeError", str(exc), {}
    if isinstance(exc, (ValueError, LookupError)):
        return "Error", str(exc.args[0]) if exc.args else type(exc).__name__, {}
    return "Error", f"{type(exc).__name__}: {exc}", {}


def _path_text(p) -> str:
    return p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p)


# The name Python addons written before twisted_node.errors raise by.
JSError = NodeError
