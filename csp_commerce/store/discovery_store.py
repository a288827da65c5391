"""Discovery's durable state (SQLite or PostgreSQL): partner accounts, runs, per-run progress,
fingerprints.

=============== =================================================================================
``partners``    registered partner accounts: name, tenant id, client id, cloud, where the
                refresh token is kept (a token store path) and when it was added. Never a
                secret: the refresh token lives in the token store, the client secret in the
                host's vault or environment.
``runs``        every run: state (not started, in progress, stopped, error, completed), its
                audit window, counts and the error that ended it.
``run_done``    the customers a run has finished (a stopped run resumes after them).
``fingerprints`` one content hash per record (customer, subscription, invoice) last handed to
                the host, so an unchanged record is not handed again; customers also remember
                whether their subscriptions were listed completely.
=============== =================================================================================

A store object may be shared by threads; processes may share its database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from csp_commerce.models.discovery import DiscoveryCounts, DiscoveryRun, DiscoveryState
from csp_commerce.store._db import Database, connect
from csp_commerce.store._schema import Migration, upgrade

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable

_STORE = "discovery"
_MIGRATIONS = (
    Migration(
        1,
        (
            """CREATE TABLE IF NOT EXISTS partners (
    name         TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    cloud        TEXT NOT NULL,
    token_store  TEXT NOT NULL,
    created_at   TEXT NOT NULL
)""",
            """CREATE TABLE IF NOT EXISTS runs (
    id             {serial},
    partner        TEXT NOT NULL,
    state          TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    finished_at    TEXT,
    activity_since TEXT,
    counts_json    TEXT NOT NULL,
    error          TEXT
)""",
            "CREATE INDEX IF NOT EXISTS runs_by_partner ON runs(partner, id)",
            """CREATE TABLE IF NOT EXISTS run_done (
    run_id      INTEGER NOT NULL,
    customer_id TEXT NOT NULL,
    PRIMARY KEY (run_id, customer_id)
)""",
            """CREATE TABLE IF NOT EXISTS fingerprints (
    partner     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    parent_id   TEXT,
    hash        TEXT NOT NULL,
    complete    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (partner, kind, record_id)
)""",
        ),
    ),
    # A customer's subscriptions by their parent: without it each customer scanned every
    # fingerprint stored so far (discovery of 10,000 customers took 7.4x the rate-limit bound).
    Migration(
        2,
        (
            "CREATE INDEX IF NOT EXISTS fingerprints_by_parent"
            " ON fingerprints(partner, kind, parent_id)",
        ),
    ),
)


def upgrade_discovery(db: Database) -> list[int]:
    """Bring a discovery store's schema up to date; the versions applied."""
    return upgrade(db, _STORE, _MIGRATIONS)


CUSTOMER, SUBSCRIPTION, INVOICE = "customer", "subscription", "invoice"


@dataclass(frozen=True)
class PartnerAccount:
    """A registered partner account (no secret: the refresh token is in ``token_store``)."""

    name: str
    tenant_id: str
    client_id: str
    cloud: str
    token_store: str
    created_at: datetime


def utcnow() -> datetime:
    """Now, in UTC (microseconds dropped)."""
    return datetime.now(timezone.utc).replace(microsecond=0)


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class DiscoveryStore:
    """The discovery tables in one database: a SQLite file (``":memory:"`` for tests),
    ``sqlite:///path`` or a ``postgresql://`` URL (see :mod:`csp_commerce.store._db`). The
    schema is created or upgraded on opening."""

    def __init__(self, location: str | os.PathLike[str]) -> None:
        self._db: Database = connect(location, store=_STORE, synchronous="NORMAL")
        try:
            upgrade_discovery(self._db)
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> DiscoveryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- partner accounts ------------------------------------------------------------------

    def add_partner(self, account: PartnerAccount) -> None:
        """Register an account (or replace the one with the same name)."""
        self._db.execute(
            "INSERT INTO partners (name, tenant_id, client_id, cloud, token_store, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
            " tenant_id = excluded.tenant_id, client_id = excluded.client_id,"
            " cloud = excluded.cloud, token_store = excluded.token_store,"
            " created_at = excluded.created_at",
            (
                account.name,
                account.tenant_id,
                account.client_id,
                account.cloud,
                account.token_store,
                _text(account.created_at),
            ),
        )

    def partner(self, name: str) -> PartnerAccount | None:
        """The account called ``name``, or None."""
        row = self._db.execute("SELECT * FROM partners WHERE name = ?", (name,)).fetchone()
        return None if row is None else _account(row)

    def partners(self) -> list[PartnerAccount]:
        """Every registered account, by name."""
        rows = self._db.execute("SELECT * FROM partners ORDER BY name").fetchall()
        return [_account(row) for row in rows]

    def remove_partner(self, name: str) -> bool:
        """Forget an account (its runs and fingerprints too); False if there was none."""
        with self._db.transaction() as db:
            gone = db.execute("DELETE FROM partners WHERE name = ?", (name,)).rowcount
            db.execute("DELETE FROM fingerprints WHERE partner = ?", (name,))
            db.execute(
                "DELETE FROM run_done WHERE run_id IN (SELECT id FROM runs WHERE partner = ?)",
                (name,),
            )
            db.execute("DELETE FROM runs WHERE partner = ?", (name,))
        return bool(gone)

    # -- runs --------------------------------------------------------------------------------

    def start_run(self, partner: str, activity_since: datetime | None) -> DiscoveryRun:
        """Record a new run, in progress."""
        now = utcnow()
        inserted = self._db.execute(
            "INSERT INTO runs (partner, state, started_at, updated_at, activity_since, "
            "counts_json) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (
                partner,
                DiscoveryState.IN_PROGRESS.value,
                _text(now),
                _text(now),
                _text(activity_since),
                DiscoveryCounts().model_dump_json(),
            ),
        )
        run = self.run(int(inserted.fetchone()[0]))
        assert run is not None
        return run

    def update_run(
        self,
        run_id: int,
        state: DiscoveryState,
        counts: DiscoveryCounts,
        *,
        error: str | None = None,
    ) -> None:
        """Record a run's state and counts (a final state sets ``finished_at``)."""
        now = utcnow()
        final = state in (DiscoveryState.COMPLETED, DiscoveryState.STOPPED, DiscoveryState.ERROR)
        self._db.execute(
            "UPDATE runs SET state = ?, updated_at = ?, finished_at = ?, counts_json = ?, "
            "error = ? WHERE id = ?",
            (
                state.value,
                _text(now),
                _text(now) if final else None,
                counts.model_dump_json(),
                error,
                run_id,
            ),
        )

    def run(self, run_id: int) -> DiscoveryRun | None:
        """One run by id."""
        row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else _run(row)

    def runs(self, partner: str | None = None, limit: int = 20) -> list[DiscoveryRun]:
        """The latest runs (newest first), of one partner or all."""
        if partner is None:
            rows = self._db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self._db.execute(
                "SELECT * FROM runs WHERE partner = ? ORDER BY id DESC LIMIT ?", (partner, limit)
            )
        return [_run(row) for row in rows]

    def latest_run(self, partner: str) -> DiscoveryRun | None:
        """The partner's most recent run, or None if discovery never started."""
        runs = self.runs(partner, limit=1)
        return runs[0] if runs else None

    def last_completed(self, partner: str) -> DiscoveryRun | None:
        """The partner's most recent completed run (its start is the next audit cursor)."""
        row = self._db.execute(
            "SELECT * FROM runs WHERE partner = ? AND state = ? ORDER BY id DESC LIMIT 1",
            (partner, DiscoveryState.COMPLETED.value),
        ).fetchone()
        return None if row is None else _run(row)

    def state(self, partner: str) -> DiscoveryState:
        """The partner's discovery state: its latest run's, or not started."""
        latest = self.latest_run(partner)
        return DiscoveryState.NOT_STARTED if latest is None else latest.state

    # -- per-run progress ------------------------------------------------------------------

    def mark_done(self, run_id: int, customer_id: str) -> None:
        """A customer of ``run_id`` is finished (resume skips it)."""
        self._db.execute(
            "INSERT INTO run_done (run_id, customer_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (run_id, customer_id),
        )

    def done_customers(self, run_id: int) -> set[str]:
        """The customers ``run_id`` has finished."""
        rows = self._db.execute("SELECT customer_id FROM run_done WHERE run_id = ?", (run_id,))
        return {str(row[0]) for row in rows.fetchall()}

    # -- fingerprints ------------------------------------------------------------------------

    def fingerprint(self, partner: str, kind: str, record_id: str) -> tuple[str, bool] | None:
        """The hash last handed for a record and whether it is complete, or None if new."""
        row = self._db.execute(
            "SELECT hash, complete FROM fingerprints WHERE partner = ? AND kind = ? "
            "AND record_id = ?",
            (partner, kind, record_id),
        ).fetchone()
        return None if row is None else (str(row[0]), bool(row[1]))

    def fingerprints(self, partner: str, kind: str, parent_id: str) -> dict[str, str]:
        """The hashes of a parent's records (a customer's subscriptions)."""
        rows = self._db.execute(
            "SELECT record_id, hash FROM fingerprints WHERE partner = ? AND kind = ? "
            "AND parent_id = ?",
            (partner, kind, parent_id),
        )
        return {str(row[0]): str(row[1]) for row in rows.fetchall()}

    def known_ids(self, partner: str, kind: str) -> dict[str, str]:
        """Every record id of ``kind`` and its hash (invoices: a few hundred at most)."""
        rows = self._db.execute(
            "SELECT record_id, hash FROM fingerprints WHERE partner = ? AND kind = ?",
            (partner, kind),
        )
        return {str(row[0]): str(row[1]) for row in rows.fetchall()}

    def remember(
        self,
        partner: str,
        kind: str,
        records: Iterable[tuple[str, str | None, str]],
        *,
        complete: bool = True,
    ) -> None:
        """Store ``(record_id, parent_id, hash)`` for records just handed to the host."""
        with self._db.transaction() as db:
            db.executemany(
                "INSERT INTO fingerprints (partner, kind, record_id, parent_id, hash, complete)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (partner, kind, record_id) DO UPDATE SET"
                " parent_id = excluded.parent_id, hash = excluded.hash,"
                " complete = excluded.complete",
                [
                    (partner, kind, record_id, parent, digest, int(complete))
                    for record_id, parent, digest in records
                ],
            )

    def set_complete(self, partner: str, kind: str, record_id: str) -> None:
        """Mark a record complete (a customer whose subscriptions were all listed)."""
        self._db.execute(
            "UPDATE fingerprints SET complete = 1 WHERE partner = ? AND kind = ? AND record_id = ?",
            (partner, kind, record_id),
        )


def _account(row: Any) -> PartnerAccount:
    created = _moment(row["created_at"])
    assert created is not None
    return PartnerAccount(
        name=row["name"],
        tenant_id=row["tenant_id"],
        client_id=row["client_id"],
        cloud=row["cloud"],
        token_store=row["token_store"],
        created_at=created,
    )


def _run(row: Any) -> DiscoveryRun:
    return DiscoveryRun(
        id=row["id"],
        partner=row["partner"],
        state=DiscoveryState(row["state"]),
        started_at=row["started_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
        activity_since=row["activity_since"],
        counts=DiscoveryCounts.model_validate(json.loads(row["counts_json"])),
        error=row["error"],
    )


__all__ = ["CUSTOMER", "INVOICE", "SUBSCRIPTION", "DiscoveryStore", "PartnerAccount"]
