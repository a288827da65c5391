"""Reconciliation v2 exports already read, by manifest eTag, kept between command runs.

Graph's export manifest carries an ``eTag`` that changes only when the exported data does. This
store keeps, per eTag, what reading that export gave (where the lines came from, the invoice
lines, the rows that could not be read), so that a second ``csp-commerce billing reconcile`` of
unchanged data answers from here without downloading a blob. The lines are kept as one
zlib-compressed JSON document per export; only the last ``keep`` exports stay (older ones are
forgotten, and their data is downloaded again if asked for).

One table, on SQLite or PostgreSQL (a path or a database URL): see
:mod:`csp_commerce.store._db`. The operations side adapts it to
:class:`~csp_commerce.operations.invoice_lines.EtagMemory`.
"""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import TypeAdapter

from csp_commerce.money.reconciliation import InvoiceLine
from csp_commerce.store._db import Database, connect
from csp_commerce.store._schema import Migration, upgrade

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Sequence

_STORE = "export_etags"
_MIGRATIONS = (
    Migration(
        1,
        (
            """CREATE TABLE IF NOT EXISTS export_etags (
    etag          TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    line_count    INTEGER NOT NULL,
    lines         {blob} NOT NULL,
    bad_rows      TEXT NOT NULL,
    remembered_at {real} NOT NULL
)""",
            "CREATE INDEX IF NOT EXISTS export_etags_by_age ON export_etags(remembered_at)",
        ),
    ),
)
#: How many exports are kept by default (as the in-memory memory's default).
KEEP = 32

_LINES: TypeAdapter[list[InvoiceLine]] = TypeAdapter(list[InvoiceLine])


def upgrade_export_etags(db: Database) -> list[int]:
    """Bring an export eTag store's schema up to date; the versions applied."""
    return upgrade(db, _STORE, _MIGRATIONS)


@dataclass(frozen=True)
class RememberedExport:
    """What reading one export gave: its source, its invoice lines and its unreadable rows."""

    etag: str
    source: str
    lines: tuple[InvoiceLine, ...]
    bad_rows: tuple[str, ...]


class ExportEtagStore:
    """The exports read, by eTag, in one database: a SQLite file (``":memory:"`` for tests),
    ``sqlite:///path`` or a ``postgresql://`` URL. The schema is created or upgraded on
    opening. Safe to share between threads; processes may share its database."""

    def __init__(
        self,
        location: str | os.PathLike[str] = ":memory:",
        *,
        keep: int = KEEP,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if keep < 1:
            raise ValueError("keep must be 1 or more")
        self.keep = keep
        self._clock = clock
        self._db: Database = connect(location, store=_STORE, synchronous="NORMAL")
        try:
            upgrade_export_etags(self._db)
        except BaseException:
            self._db.close()
            raise

    def get(self, etag: str) -> RememberedExport | None:
        """What the export with ``etag`` gave, or None when it was not read (or is forgotten)."""
        row = self._db.execute(
            "SELECT source, lines, bad_rows FROM export_etags WHERE etag = ?", (etag,)
        ).fetchone()
        if row is None:
            return None
        lines = tuple(_LINES.validate_json(zlib.decompress(bytes(row["lines"]))))
        bad_rows = tuple(str(text) for text in json.loads(row["bad_rows"]))
        return RememberedExport(etag, str(row["source"]), lines, bad_rows)

    def put(
        self, etag: str, source: str, lines: Sequence[InvoiceLine], bad_rows: Sequence[str]
    ) -> None:
        """Keep what the export with ``etag`` gave (replacing what was kept for it), and forget
        the oldest exports beyond :attr:`keep`."""
        packed = zlib.compress(_LINES.dump_json(list(lines), by_alias=True))
        with self._db.transaction() as tx:
            tx.execute(
                "INSERT INTO export_etags"
                " (etag, source, line_count, lines, bad_rows, remembered_at)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (etag) DO UPDATE SET source = excluded.source,"
                " line_count = excluded.line_count, lines = excluded.lines,"
                " bad_rows = excluded.bad_rows, remembered_at = excluded.remembered_at",
                (etag, source, len(lines), packed, json.dumps(list(bad_rows)), self._clock()),
            )
            kept = tx.execute(
                "SELECT etag FROM export_etags ORDER BY remembered_at DESC, etag LIMIT ?",
                (self.keep,),
            ).fetchall()
            names = [str(row[0]) for row in kept]
            marks = ", ".join("?" for _ in names)
            tx.execute(f"DELETE FROM export_etags WHERE etag NOT IN ({marks})", names)

    def etags(self) -> list[str]:
        """The eTags kept, newest first."""
        rows = self._db.execute(
            "SELECT etag FROM export_etags ORDER BY remembered_at DESC, etag"
        ).fetchall()
        return [str(row[0]) for row in rows]

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> ExportEtagStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["KEEP", "ExportEtagStore", "RememberedExport", "upgrade_export_etags"]
