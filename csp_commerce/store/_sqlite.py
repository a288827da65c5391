"""One SQLite connection that any thread may use, one statement or transaction at a time.

Hosts call the library from worker threads (``asyncio.to_thread``, a web server's pool); a
plain ``sqlite3`` connection refuses every thread but its creator's, and two threads sharing
one could interleave a transaction. This wrapper serialises them with a lock and hands back
results already read, so no cursor outlives the lock.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence


@dataclass(frozen=True)
class Result:
    """The rows a statement returned (read in full) and how many rows it changed."""

    rows: list[Any]
    rowcount: int

    def fetchone(self) -> Any:
        """The first row, or None."""
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[Any]:
        """Every row."""
        return self.rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)


class Database:
    """A thread-safe SQLite connection in autocommit mode; :meth:`transaction` for more."""

    def __init__(self, path: str, *, rows_as_mappings: bool = False) -> None:
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        if rows_as_mappings:
            self._db.row_factory = sqlite3.Row

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Result:
        """Run one statement (its own transaction unless inside :meth:`transaction`)."""
        with self._lock:
            cursor = self._db.execute(sql, parameters)
            return Result(cursor.fetchall(), cursor.rowcount)

    def executescript(self, script: str) -> None:
        """Run several statements (the schema)."""
        with self._lock:
            self._db.executescript(script)

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction (``BEGIN IMMEDIATE``) no other thread can interleave with."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()
