"""The MCA evidence log: an append-only, hash-chained record of every MCA acceptance.

Microsoft may ask a partner to prove that a customer accepted the Microsoft Customer Agreement
before an order: who accepted or confirmed it, when, which agreement template, the customer's
contact, and where the confirmation came from. Each entry stores that acceptance with the
sha256 hash of the entry before it, so that changing, removing or reordering any entry breaks
the chain (:meth:`McaEvidenceLog.verify` finds where). SQLite triggers refuse UPDATE and
DELETE as a further guard; the chain catches what bypasses them (another tool, a copied file).
Anchor :meth:`McaEvidenceLog.head` somewhere else (a daily e-mail, a ticket) to detect the last
entries being cut off as well.

One connection per log object; open one log per thread or process. Appends from several
processes serialise on SQLite's write lock.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from csp_commerce.errors import ConfigurationError
from csp_commerce.models.agreement import McaAcceptance
from csp_commerce.store._sqlite import Database

if TYPE_CHECKING:
    import os
    from collections.abc import Callable
    from types import TracebackType

#: The hash "before" the first entry.
GENESIS = "0" * 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mca_evidence (
    seq                INTEGER PRIMARY KEY,
    customer_reference TEXT NOT NULL,
    recorded_at        TEXT NOT NULL,
    acceptance_json    TEXT NOT NULL,
    prev_hash          TEXT NOT NULL,
    hash               TEXT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS mca_evidence_by_customer ON mca_evidence(customer_reference, seq);
CREATE TRIGGER IF NOT EXISTS mca_evidence_no_update BEFORE UPDATE ON mca_evidence
BEGIN SELECT RAISE(ABORT, 'the MCA evidence log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS mca_evidence_no_delete BEFORE DELETE ON mca_evidence
BEGIN SELECT RAISE(ABORT, 'the MCA evidence log is append-only'); END;
"""

_COLUMNS = "seq, customer_reference, recorded_at, acceptance_json, prev_hash, hash"


@dataclass(frozen=True)
class McaEvidenceEntry:
    """One entry of the log: the acceptance, when we recorded it, and its place in the chain."""

    seq: int
    recorded_at: datetime
    acceptance: McaAcceptance
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of :meth:`McaEvidenceLog.verify`.

    ``ok`` is True when every entry is intact; otherwise ``broken_seq`` is the sequence number of
    the first entry that fails and ``reason`` says why.
    """

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str | None = None


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    seq: int, customer_reference: str, recorded_at: str, acceptance_json: str, prev_hash: str
) -> str:
    """The sha256 of an entry's canonical JSON (everything but the hash itself)."""
    body = {
        "seq": seq,
        "customer_reference": customer_reference,
        "recorded_at": recorded_at,
        "acceptance": json.loads(acceptance_json),
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class McaEvidenceLog:
    """An append-only MCA evidence log in the SQLite file at ``path`` (created if missing).

    ``clock`` gives the recording time (UTC); tests inject a fixed one.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        self.path = str(path)
        self._clock = clock
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = Database(self.path)
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise ConfigurationError(
                f"cannot open the MCA evidence log {self.path}: {error}"
            ) from error

    # -- writing --------------------------------------------------------------------------------

    def append(self, acceptance: McaAcceptance) -> McaEvidenceEntry:
        """Record ``acceptance`` as the next entry of the chain and return that entry."""
        payload = canonical_json(acceptance.model_dump(mode="json"))
        recorded_at = self._clock().astimezone(timezone.utc).isoformat()
        # The write lock: no other appender between reading the head and inserting.
        with self._db.transaction() as db:
            row = db.execute(
                "SELECT seq, hash FROM mca_evidence ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            seq, prev_hash = (row[0] + 1, row[1]) if row else (1, GENESIS)
            digest = entry_hash(seq, acceptance.customer_reference, recorded_at, payload, prev_hash)
            db.execute(
                f"INSERT INTO mca_evidence ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (seq, acceptance.customer_reference, recorded_at, payload, prev_hash, digest),
            )
        return McaEvidenceEntry(
            seq=seq,
            recorded_at=datetime.fromisoformat(recorded_at),
            acceptance=acceptance,
            prev_hash=prev_hash,
            hash=digest,
        )

    # -- reading --------------------------------------------------------------------------------

    def entries(self, customer_reference: str | None = None) -> list[McaEvidenceEntry]:
        """Every entry in order, or only ``customer_reference``'s."""
        if customer_reference is None:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM mca_evidence ORDER BY seq")
        else:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM mca_evidence WHERE customer_reference = ? ORDER BY seq",
                (customer_reference,),
            )
        return [_entry(row) for row in rows]

    def latest(self, customer_reference: str) -> McaEvidenceEntry | None:
        """The customer's most recent entry, or None if none is recorded."""
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM mca_evidence WHERE customer_reference = ? "
            "ORDER BY seq DESC LIMIT 1",
            (customer_reference,),
        ).fetchone()
        return _entry(row) if row else None

    def head(self) -> str:
        """The hash of the last entry (:data:`GENESIS` when empty), to anchor elsewhere."""
        row = self._db.execute("SELECT hash FROM mca_evidence ORDER BY seq DESC LIMIT 1").fetchone()
        return str(row[0]) if row else GENESIS

    def verify(self) -> VerifyResult:
        """Walk the chain from the first entry: ok, or the first broken entry and why."""
        expected_seq, prev_hash, checked = 1, GENESIS, 0
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM mca_evidence ORDER BY seq")
        for seq, customer, recorded_at, payload, stored_prev, stored_hash in rows:
            if seq != expected_seq:
                return VerifyResult(False, checked, seq, f"entry {expected_seq} is missing")
            if stored_prev != prev_hash:
                return VerifyResult(False, checked, seq, "does not follow the entry before it")
            try:
                acceptance = McaAcceptance.model_validate_json(payload)
                digest = entry_hash(seq, customer, recorded_at, payload, stored_prev)
            except (ValueError, ValidationError):
                return VerifyResult(False, checked, seq, "the acceptance is not readable")
            if acceptance.customer_reference != customer or digest != stored_hash:
                return VerifyResult(False, checked, seq, "its content does not match its hash")
            expected_seq, prev_hash, checked = seq + 1, stored_hash, checked + 1
        return VerifyResult(True, checked)

    # -- lifetime -------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> McaEvidenceLog:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _entry(row: tuple[Any, ...]) -> McaEvidenceEntry:
    seq, _customer, recorded_at, payload, prev_hash, digest = row
    return McaEvidenceEntry(
        seq=seq,
        recorded_at=datetime.fromisoformat(recorded_at),
        acceptance=McaAcceptance.model_validate_json(payload),
        prev_hash=prev_hash,
        hash=digest,
    )
