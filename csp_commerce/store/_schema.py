"""Versioned store schemas with forward migrations, on both engines.

Each store lists its migrations in order (version 1 is the schema as first released, written
with ``IF NOT EXISTS`` so that a file made before versioning is adopted as it is). The table
``schema_version`` holds each store's version in its database; :func:`upgrade` applies the
missing migrations in one exclusive write transaction (so two processes opening the same
database at once upgrade it once), and refuses a database a newer release wrote.

Every migration so far only adds (tables, columns, indexes): opening a store applies them. A
deployment that opens the database with a role not allowed to change the schema runs
``csp-commerce db upgrade`` with one that is, first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from csp_commerce.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from csp_commerce.store._db import Database

_VERSIONS = """
CREATE TABLE IF NOT EXISTS schema_version (
    store       TEXT PRIMARY KEY,
    version     INTEGER NOT NULL,
    upgraded_at {real} NOT NULL
)
"""


@dataclass(frozen=True)
class Migration:
    """One step of a store's schema: statements (``{real}``/``{serial}`` spelled per engine),
    or a function of the open transaction for what differs more between engines."""

    version: int
    statements: Sequence[str] = ()
    apply: Callable[[Database], None] | None = None


def version(db: Database, store: str) -> int:
    """The store's schema version in ``db`` (0: never versioned)."""
    if not db.table_exists("schema_version"):
        return 0
    row = db.execute("SELECT version FROM schema_version WHERE store = ?", (store,)).fetchone()
    return 0 if row is None else int(row[0])


def upgrade(db: Database, store: str, migrations: Sequence[Migration]) -> list[int]:
    """Apply the store's missing migrations; the versions applied (none when up to date).

    :class:`ConfigurationError` when the database is at a version this release does not know.
    """
    latest = migrations[-1].version
    if version(db, store) == latest:  # the common case, without a write lock
        return []
    with db.transaction() as tx:
        tx.lock_schema()  # stores sharing a database create schema_version once
        tx.execute(tx.ddl(_VERSIONS))
        current = version(tx, store)
        if current > latest:
            raise ConfigurationError(
                f"the {store} store in {db.location} is at schema version {current}; this "
                f"release knows up to {latest}: upgrade csp-commerce"
            )
        applied: list[int] = []
        for migration in migrations:
            if migration.version <= current:
                continue
            for statement in migration.statements:
                tx.execute(tx.ddl(statement))
            if migration.apply is not None:
                migration.apply(tx)
            applied.append(migration.version)
        tx.execute(
            "INSERT INTO schema_version (store, version, upgraded_at) VALUES (?, ?, ?)"
            " ON CONFLICT (store) DO UPDATE SET version = excluded.version,"
            " upgraded_at = excluded.upgraded_at",
            (store, latest, time.time()),
        )
    return applied
