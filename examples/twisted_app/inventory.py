"""A Python addon for api.js (`require("./inventory")`): an inventory in
SQLite, queried through Twisted's thread pool (twisted.enterprise.adbapi),
so every function returns a Deferred, which JavaScript gets as a
process.Promise."""

from twisted.enterprise import adbapi

STOCK = [("apple", 12), ("pear", 0), ("plum", 40)]


def _fill(connection):
    # Runs in the pool's thread when it opens its connection.
    connection.execute("CREATE TABLE items (name TEXT PRIMARY KEY, count INTEGER NOT NULL)")
    connection.executemany("INSERT INTO items VALUES (?, ?)", STOCK)
    connection.commit()


def init(target):
    # One thread, one in-memory database (each connection would get its own).
    pool = adbapi.ConnectionPool(
        "sqlite3", ":memory:", cp_min=1, cp_max=1, cp_openfun=_fill, check_same_thread=False
    )

    def find(name):
        """[[name, count]] for that item, [] when there is none."""
        return pool.runQuery("SELECT name, count FROM items WHERE name = ?", (name,))

    def everything():
        return pool.runQuery("SELECT name, count FROM items ORDER BY name")

    def restock(name, count):
        """Add `count` of `name` (a new item if needed); fires with nothing."""
        return pool.runOperation(
            "INSERT INTO items VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET count = count + excluded.count",
            (name, count),
        )

    target.find = find
    target.everything = everything
    target.restock = restock
