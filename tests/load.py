"""A small HTTP load generator for tests: threads sending GET requests to
127.0.0.1, one request per connection, counting answers and failures.
Bounded: at most `limit` requests, and each socket operation times out."""

from __future__ import annotations

import socket
import threading
from collections import Counter

REQUEST = b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"


def get(port: int, path: str = "/", timeout: float = 10.0) -> bytes:
    """One request on a new connection: the whole answer (head and body)."""
    return fetch(socket.AF_INET, ("127.0.0.1", port), path, timeout)


def fetch(family, address, path: str = "/", timeout: float = 10.0) -> bytes:
    """get() to any address: (AF_INET6, ("::1", port)), (AF_UNIX, path)."""
    request = REQUEST.replace(b"GET / ", b"GET " + path.encode() + b" ", 1)
    with socket.socket(family) as s:
        s.settimeout(timeout)
        s.connect(address)
        s.sendall(request)
        return read_until_closed(s)


def read_until_closed(sock: socket.socket) -> bytes:
    """All that `sock` receives until the peer closes."""
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def body(answer: bytes) -> str:
    head, _, rest = answer.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200 "):
        raise ValueError(f"not a 200 answer: {answer[:80]!r}")
    return rest.decode()


class Load:
    """`threads` clients requesting until stop() (or `limit` requests in
    all). `answers` counts the bodies received, `failures` the requests that
    got no whole 200 answer (with the last error in `errors`)."""

    def __init__(self, port: int, threads: int = 4, limit: int = 200_000):
        self.port = port
        self.answers: Counter = Counter()
        self.failures = 0
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._count = 0
        self._limit = limit
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def start(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(30)

    @property
    def total(self) -> int:
        with self._lock:
            return self._count

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                if self._count >= self._limit:
                    return
                self._count += 1
            try:
                text = body(get(self.port))
            except (OSError, ValueError) as e:
                with self._lock:
                    self.failures += 1
                    self.errors = (self.errors + [repr(e)])[-5:]
                continue
            with self._lock:
                self.answers[text] += 1
