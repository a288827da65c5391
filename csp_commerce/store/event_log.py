"""The webhook event ids already handled, so that an event received twice is handled once.

One SQLite table keyed by the event id. :meth:`EventLog.claim` is the atomic test-and-set the
receiver calls before dispatching (an ``INSERT`` that a second delivery cannot repeat), and
:meth:`EventLog.release` gives the id back when the handling failed, so that Partner Center's
next delivery attempt is handled. Ids are kept at least as long as the receiver accepts an
event's age (:meth:`EventLog.prune` forgets older ones): beyond that the age check refuses it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from csp_commerce.store._sqlite import Database

if TYPE_CHECKING:
    import os

_SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_events (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    received_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_events_received ON webhook_events(received_at);
"""


class EventLog:
    """The handled webhook event ids (SQLite; ``":memory:"`` for a process-local log).

    Safe to share between threads; several processes may share one file (SQLite serialises the
    claims, and a claim is one statement).
    """

    def __init__(self, path: str | os.PathLike[str] = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = Database(self.path)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def claim(self, event_id: str, name: str, received_at: float) -> bool:
        """Record ``event_id`` as handled; False when it already was (do not handle it again)."""
        result = self._db.execute(
            "INSERT OR IGNORE INTO webhook_events (id, name, received_at) VALUES (?, ?, ?)",
            (event_id, name, received_at),
        )
        return result.rowcount == 1

    def release(self, event_id: str) -> None:
        """Forget ``event_id`` (its handling failed: the next delivery must be handled)."""
        self._db.execute("DELETE FROM webhook_events WHERE id = ?", (event_id,))

    def seen(self, event_id: str) -> bool:
        """Whether ``event_id`` is recorded as handled."""
        row = self._db.execute("SELECT 1 FROM webhook_events WHERE id = ?", (event_id,)).fetchone()
        return row is not None

    def prune(self, before: float) -> int:
        """Forget ids received before ``before`` (epoch seconds); returns how many."""
        return self._db.execute(
            "DELETE FROM webhook_events WHERE received_at < ?", (before,)
        ).rowcount

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
