"""The webhook event ids already handled, so that an event received twice is handled once.

One table keyed by the event id, on SQLite or PostgreSQL (a path or a database URL).
:meth:`EventLog.claim` is the atomic test-and-set the
receiver calls before dispatching (an ``INSERT`` that a second delivery cannot repeat), and
:meth:`EventLog.release` gives the id back when the handling failed, so that Partner Center's
next delivery attempt is handled. Ids are kept at least as long as the receiver accepts an
event's age (:meth:`EventLog.prune` forgets older ones): beyond that the age check refuses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.store._db import connect

if TYPE_CHECKING:
    import os

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS webhook_events (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    received_at DOUBLE PRECISION NOT NULL
)""",
    """
CREATE INDEX IF NOT EXISTS webhook_events_received ON webhook_events(received_at)
""",
)


class EventLog:
    """The handled webhook event ids (a path, a ``sqlite:///`` or ``postgresql://`` URL, or
    ``":memory:"`` for a process-local log).

    Safe to share between threads and processes: a claim is one statement.
    """

    def __init__(self, path: str | os.PathLike[str] = ":memory:") -> None:
        self.path = str(path)
        self._db = connect(self.path, store="event_log", synchronous="NORMAL")
        for statement in _SCHEMA:
            self._db.execute(statement)

    def claim(self, event_id: str, name: str, received_at: float) -> bool:
        """Record ``event_id`` as handled; False when it already was (do not handle it again)."""
        result = self._db.execute(
            "INSERT INTO webhook_events (id, name, received_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (event_id, name, received_at),
        )
        return bool(result.rowcount == 1)

    def release(self, event_id: str) -> None:
        """Forget ``event_id`` (its handling failed: the next delivery must be handled)."""
        self._db.execute("DELETE FROM webhook_events WHERE id = ?", (event_id,))

    def seen(self, event_id: str) -> bool:
        """Whether ``event_id`` is recorded as handled."""
        row = self._db.execute("SELECT 1 FROM webhook_events WHERE id = ?", (event_id,)).fetchone()
        return row is not None

    def prune(self, before: float) -> int:
        """Forget ids received before ``before`` (epoch seconds); returns how many."""
        deleted: int = self._db.execute(
            "DELETE FROM webhook_events WHERE received_at < ?", (before,)
        ).rowcount
        return deleted

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
