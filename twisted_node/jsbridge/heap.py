"""V8's own heap figures for process.memoryUsage().

STPyV8 exposes no heap statistics, but its extension module carries V8 with
its C++ API symbols exported, so v8::Isolate::GetHeapStatistics is called
directly. The leading fields of v8::HeapStatistics (all size_t) have kept
their order across V8 releases: total_heap_size, total_heap_size_executable,
total_physical_size, total_available_size, used_heap_size, heap_size_limit.
"""

from __future__ import annotations

import ctypes

import _STPyV8

_TOTAL_HEAP_SIZE = 0
_USED_HEAP_SIZE = 4
_HEAP_SIZE_LIMIT = 5
# Far more room than v8::HeapStatistics needs, so a V8 that adds fields at the
# end cannot write past the buffer.
_BUFFER_WORDS = 64


def _load():
    try:
        lib = ctypes.CDLL(_STPyV8.__file__)
        current = lib._ZN2v87Isolate13TryGetCurrentEv
        init = lib._ZN2v814HeapStatisticsC1Ev
        fill = lib._ZN2v87Isolate17GetHeapStatisticsEPNS_14HeapStatisticsE
    except (OSError, AttributeError):
        return None
    current.restype = ctypes.c_void_p
    current.argtypes = []
    init.restype = None
    init.argtypes = [ctypes.c_void_p]
    fill.restype = None
    fill.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    return current, init, fill


_API = _load()


def heap_statistics() -> dict | None:
    """{"heapTotal", "heapUsed", "heapLimit"} in bytes, or None when this
    STPyV8 build does not export the API (or no isolate is current)."""
    if _API is None:
        return None
    current, init, fill = _API
    isolate = current()
    if not isolate:
        return None
    buf = (ctypes.c_size_t * _BUFFER_WORDS)()
    init(buf)
    fill(isolate, buf)
    return {
        "heapTotal": buf[_TOTAL_HEAP_SIZE],
        "heapUsed": buf[_USED_HEAP_SIZE],
        "heapLimit": buf[_HEAP_SIZE_LIMIT],
    }
