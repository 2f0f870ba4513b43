"""The "watch" binding: process.watchFile and process.unwatchFile
(lib/watchfile.js), over protocols/watch.py's FileWatcher.

Events (bindings/events.py): lib/watchfile.js gives each watcher an id when
it starts it (watchFile(id, filename, persistent, interval_ms)); every change
of the file is then (id, CHANGE, curr_json, prev_json), each a JSON array of
the stat's values in STAT_FIELDS order (protocols/posix.py): one crossing
per change. unwatchFile(handle) stops it: no event for that id after that.
"""

from __future__ import annotations

import json

from twisted_node.bindings.events import Events
from twisted_node.protocols.watch import FileWatcher

CHANGE = 1


def binding(host) -> dict:
    events = Events(host)
    active: set[FileWatcher] = set()

    def stop_all():
        for watcher in list(active):
            watcher.stop()
        active.clear()

    host.add_cleanup(stop_all)

    def watch_file(id, filename, persistent, interval_ms):
        """Start watching `filename` for the JS watcher `id`; returns the
        opaque handle unwatchFile takes."""
        if not isinstance(filename, str) or not filename:
            raise TypeError("filename must be a non-empty string")
        if isinstance(interval_ms, bool) or not isinstance(interval_ms, (int, float, type(None))):
            raise TypeError("interval must be a number of milliseconds")
        interval = max(float(interval_ms or 0), 0.0) / 1000.0

        def changed(curr, prev):
            events(id, CHANGE, json.dumps(curr), json.dumps(prev))

        watcher = FileWatcher(host.reactor, filename, changed, interval)
        watcher.start()
        active.add(watcher)
        hold = host.hold(f"watchFile {filename}", close=watcher.stop) if persistent else None
        return _Handle(watcher, hold, active)

    def unwatch_file(handle):
        if not isinstance(handle, _Handle):
            raise TypeError("not a watchFile handle")
        handle.stop()

    return {
        "CHANGE": CHANGE,
        "init": events.init,
        "watchFile": watch_file,
        "unwatchFile": unwatch_file,
    }


class _Handle:
    """One watcher as lib/watchfile.js holds it: stop() stops the watcher
    and lets go of the program."""

    __slots__ = ("_active", "_hold", "watcher")

    def __init__(self, watcher: FileWatcher, hold, active: set):
        self.watcher = watcher
        self._hold = hold
        self._active = active

    def stop(self) -> None:
        self.watcher.stop()
        self._active.discard(self.watcher)
        if self._hold is not None:
            self._hold.release()
            self._hold = None
