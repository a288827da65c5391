"""The MCA evidence log: an append-only, hash-chained record of every MCA acceptance.

Microsoft may ask a partner to prove that a customer accepted the Microsoft Customer Agreement
before an order: who accepted or confirmed it, when, which agreement template, the customer's
contact, and where the confirmation came from. Each entry stores that acceptance with the
sha256 hash of the entry before it, so that changing, removing or reordering any entry breaks
the chain (:meth:`McaEvidenceLog.verify` finds where). SQLite triggers refuse UPDATE and
DELETE as a further guard; the chain catches what bypasses them (another tool, a copied file).

A hash chain alone cannot tell that its last entries were cut off, that the file was emptied,
or that someone rewrote entries and recomputed every hash after them. Two defences:

- **Anchor the head.** :meth:`McaEvidenceLog.head` is the last entry's sequence number and hash
  (``SEQ:HASH``, ``csp-commerce mca head``); keep it somewhere the log's writers cannot change
  (a daily e-mail, a ticket). ``verify(expect_head=head)`` then fails unless the log still has
  that very entry: any truncation, emptying or rewrite behind the anchor is found.
- **Key the chain.** ``McaEvidenceLog(path, key=...)`` stores with every entry an HMAC-SHA256
  of its hash under a key the host holds (never stored): without the key, recomputed entries
  cannot carry valid MACs, so verifying with the key finds a rewrite without any anchor.

A log object may be shared by threads. Appends from several processes (on several machines,
with PostgreSQL) serialise on the store's exclusive write transaction: SQLite's write lock, or
PostgreSQL's advisory lock for the log, so each append reads the head and writes the next
entry with no other append in between.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from csp_commerce import errors
from csp_commerce.errors import ConfigurationError
from csp_commerce.models.agreement import McaAcceptance
from csp_commerce.store._db import Database, connect, database_error
from csp_commerce.store._schema import Migration, upgrade

if TYPE_CHECKING:
    import os
    from collections.abc import Callable
    from types import TracebackType

#: The hash "before" the first entry.
GENESIS = "0" * 64

#: The shortest key :class:`McaEvidenceLog` accepts (bytes).
MIN_KEY_BYTES = 16

_TABLE = """
CREATE TABLE mca_evidence (
    seq                INTEGER PRIMARY KEY,
    customer_reference TEXT NOT NULL,
    recorded_at        TEXT NOT NULL,
    acceptance_json    TEXT NOT NULL,
    prev_hash          TEXT NOT NULL,
    hash               TEXT NOT NULL UNIQUE,
    mac                TEXT
)
"""
_INDEX = (
    "CREATE INDEX IF NOT EXISTS mca_evidence_by_customer ON mca_evidence(customer_reference, seq)"
)
#: The protective triggers (SQLite), by name: created with a new log, never re-created on an
#: old one.
TRIGGERS = {
    "mca_evidence_no_update": "CREATE TRIGGER mca_evidence_no_update BEFORE UPDATE ON mca_evidence"
    " BEGIN SELECT RAISE(ABORT, 'the MCA evidence log is append-only'); END",
    "mca_evidence_no_delete": "CREATE TRIGGER mca_evidence_no_delete BEFORE DELETE ON mca_evidence"
    " BEGIN SELECT RAISE(ABORT, 'the MCA evidence log is append-only'); END",
}
#: PostgreSQL's: the same two, and one refusing TRUNCATE (which skips row triggers there), all
#: calling one function that refuses.
PG_FUNCTION = "mca_evidence_append_only"
_PG_BODY = " BEGIN RAISE EXCEPTION 'the MCA evidence log is append-only'; END "
_PG_FUNCTION_SQL = (
    f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $${_PG_BODY}$$"
)
PG_TRIGGERS = {
    "mca_evidence_no_update": "CREATE TRIGGER mca_evidence_no_update BEFORE UPDATE ON"
    f" mca_evidence FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
    "mca_evidence_no_delete": "CREATE TRIGGER mca_evidence_no_delete BEFORE DELETE ON"
    f" mca_evidence FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
    "mca_evidence_no_truncate": "CREATE TRIGGER mca_evidence_no_truncate BEFORE TRUNCATE ON"
    f" mca_evidence FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
}


def _triggers(db: Database) -> dict[str, str]:
    return PG_TRIGGERS if db.engine == "postgresql" else TRIGGERS


def _create_or_adopt(db: Database) -> None:
    """Version 1: a new log gets its table and triggers; a log made before keyed chains gets
    the ``mac`` column (no row changes); an old log's triggers are never re-created here."""
    if db.table_exists("mca_evidence"):
        if "mac" not in db.columns("mca_evidence"):
            db.execute("ALTER TABLE mca_evidence ADD COLUMN mac TEXT")
    else:
        db.execute(_TABLE)
        if db.engine == "postgresql":
            db.execute(_PG_FUNCTION_SQL)
        for statement in _triggers(db).values():
            db.execute(statement)
    db.execute(_INDEX)


_STORE = "mca_evidence"
_MIGRATIONS = (Migration(1, apply=_create_or_adopt),)


def upgrade_mca_log(db: Database) -> list[int]:
    """Bring an MCA evidence log's schema up to date; the versions applied."""
    return upgrade(db, _STORE, _MIGRATIONS)


_UNQUALIFIED = re.compile(r"\b(ON|FUNCTION) \S+\.(?=mca_evidence)")
_COLUMNS = "seq, customer_reference, recorded_at, acceptance_json, prev_hash, hash, mac"
_HEAD = re.compile(r"(\d+):([0-9a-f]{64})")


@dataclass(frozen=True)
class McaEvidenceEntry:
    """One entry of the log: the acceptance, when we recorded it, and its place in the chain.

    ``mac`` is the entry's HMAC-SHA256 (hex) when it was appended with a key, else None.
    """

    seq: int
    recorded_at: datetime
    acceptance: McaAcceptance
    prev_hash: str
    hash: str
    mac: str | None = None


@dataclass(frozen=True)
class McaEvidenceHead:
    """The last entry's sequence number and hash: the anchor to keep outside the log.

    ``str(head)`` is ``SEQ:HASH`` and :meth:`parse` reads it back. An empty log's head is
    ``0:`` followed by :data:`GENESIS`.
    """

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> McaEvidenceHead:
        """Read ``SEQ:HASH`` (as ``mca head`` prints it); :class:`InputError` if it is not."""
        match = _HEAD.fullmatch(text.strip().lower())
        if match is None:
            raise errors.InputError(
                f"{text!r} is not an evidence log head: expected SEQ:HASH "
                "(a sequence number, a colon and 64 hex digits, as `csp-commerce mca head` prints)"
            )
        seq, digest = int(match.group(1)), match.group(2)
        if seq == 0 and digest != GENESIS:
            raise errors.InputError(f"{text!r}: the head of an empty log is 0:{GENESIS}")
        return cls(seq, digest)


@dataclass(frozen=True)
class DamagedEntry:
    """An entry that cannot be read back: its sequence number and why."""

    seq: int
    reason: str


@dataclass(frozen=True)
class EvidenceScan:
    """What :meth:`McaEvidenceLog.scan` read: the readable entries and the damaged ones."""

    entries: list[McaEvidenceEntry]
    damaged: list[DamagedEntry]


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of :meth:`McaEvidenceLog.verify`.

    ``ok`` is True when every entry is intact, the log still has the expected head (if one was
    given) and its protective triggers are in place; otherwise ``broken_seq`` is the sequence
    number of the first entry that fails (None when only a trigger is wrong) and ``reason``
    says why. ``missing_triggers`` names protective triggers that are missing or changed.
    ``unkeyed`` is how many entries (always the first ones: entries 1 to ``unkeyed``) carry no
    MAC; ``macs_checked`` is True when the MACs were checked (a key was given).
    """

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str | None = None
    missing_triggers: tuple[str, ...] = ()
    unkeyed: int = 0
    macs_checked: bool = False


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


def entry_mac(key: bytes, seq: int, digest: str) -> str:
    """The HMAC-SHA256 (hex) under ``key`` of an entry's sequence number and hash.

    The hash already covers the entry's content and the hash before it, so a valid MAC on
    every entry means nobody without the key wrote or rewrote any of them.
    """
    message = f"csp-commerce/mca-evidence/v1\n{seq}\n{digest}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class McaEvidenceLog:
    """An append-only MCA evidence log in the SQLite file at ``path`` (created if missing), or
    in the database a ``sqlite:///`` or ``postgresql://`` URL names (see
    :mod:`csp_commerce.store._db`).

    ``clock`` gives the recording time (UTC); tests inject a fixed one. ``key`` (at least
    :data:`MIN_KEY_BYTES` bytes, held by the host and never stored) keys the chain: every
    appended entry carries an HMAC-SHA256 and :meth:`verify` checks them. Once a log has a
    keyed entry, appending without the key, or with another key, is refused
    (:class:`ConfigurationError`); a log made without a key can be keyed from any entry on.

    A new log gets its protective triggers (refusing UPDATE and DELETE). An existing log whose
    triggers are missing or changed is **not** repaired on opening: re-creating them silently
    would hide that someone with write access to the file removed them, and what they did
    meanwhile. The log still opens, so that :meth:`verify` (which reports the missing triggers),
    :meth:`scan`, :meth:`entries` and :meth:`head` can show the damage; :meth:`append` refuses
    with :class:`McaEvidenceDamagedError`, because new evidence written into an unguarded log
    could be changed unnoticed and would push the damage behind fresh entries. Once the host
    has checked the log (``verify`` with its anchored head or key), :meth:`restore_triggers`
    puts the triggers back as a deliberate act.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Callable[[], datetime] = _utcnow,
        key: bytes | None = None,
    ) -> None:
        self._clock = clock
        if key is not None and (not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES):
            raise ConfigurationError(
                f"the MCA evidence log's key must be at least {MIN_KEY_BYTES} bytes"
            )
        self._key = key
        self._db: Database = connect(path, store=_STORE)
        self.path = str(self._db.location)  # for messages: a URL's password left out
        try:
            upgrade_mca_log(self._db)
        except database_error(self._db.engine) as error:
            self._db.close()
            raise ConfigurationError(
                f"cannot open the MCA evidence log {self._db.location}: {error}"
            ) from error
        except BaseException:
            self._db.close()
            raise

    @property
    def keyed(self) -> bool:
        """True when this log object was opened with a key."""
        return self._key is not None

    # -- writing --------------------------------------------------------------------------------

    def append(self, acceptance: McaAcceptance) -> McaEvidenceEntry:
        """Record ``acceptance`` as the next entry of the chain and return that entry.

        Raises :class:`McaEvidenceDamagedError` (nothing appended) when a protective trigger
        is missing or changed, and :class:`ConfigurationError` when the last entry has a MAC
        and this log was opened without its key.
        """
        payload = canonical_json(acceptance.model_dump(mode="json"))
        recorded_at = self._clock().astimezone(timezone.utc).isoformat()
        # The write lock: no other appender between reading the head and inserting.
        with self._db.transaction() as db:
            missing = _trigger_damage(db)
            if missing:
                raise errors.McaEvidenceDamagedError(
                    f"the MCA evidence log {self.path} is not guarded: {_describe(missing)}; "
                    "nothing was appended. Check it (csp-commerce mca verify, with the anchored "
                    "head or the key), then restore its triggers (csp-commerce mca "
                    "restore-triggers)"
                )
            row = db.execute(
                "SELECT seq, hash, mac FROM mca_evidence ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            seq, prev_hash = (row[0] + 1, row[1]) if row else (1, GENESIS)
            if row is not None and row[2] is not None:
                self._check_key_matches(row[0], row[1], row[2])
            digest = entry_hash(seq, acceptance.customer_reference, recorded_at, payload, prev_hash)
            mac = entry_mac(self._key, seq, digest) if self._key is not None else None
            db.execute(
                f"INSERT INTO mca_evidence ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, acceptance.customer_reference, recorded_at, payload, prev_hash, digest, mac),
            )
        return McaEvidenceEntry(
            seq=seq,
            recorded_at=datetime.fromisoformat(recorded_at),
            acceptance=acceptance,
            prev_hash=prev_hash,
            hash=digest,
            mac=mac,
        )

    def _check_key_matches(self, seq: int, digest: str, mac: str) -> None:
        if self._key is None:
            raise ConfigurationError(
                f"the MCA evidence log {self.path} is keyed (entry #{seq} has a MAC): open it "
                "with its key (CSP_COMMERCE_MCA_KEY or --key-file)"
            )
        if not hmac.compare_digest(str(mac), entry_mac(self._key, seq, digest)):
            raise ConfigurationError(
                f"the key does not match the MAC of entry #{seq} of the MCA evidence log "
                f"{self.path}: another key, or the entry was rewritten (csp-commerce mca verify)"
            )

    def restore_triggers(self) -> list[str]:
        """Re-create the protective triggers that are missing or changed; returns their names.

        A deliberate repair, after :meth:`verify` (with an anchored head or the key) has shown
        the entries are intact: opening the log never does it.
        """
        with self._db.transaction() as db:
            damaged = _trigger_damage(db)
            if damaged and db.engine == "postgresql":
                db.execute(_PG_FUNCTION_SQL)
            for name in damaged:
                if db.engine == "postgresql":
                    db.execute(f"DROP TRIGGER IF EXISTS {name} ON mca_evidence")
                else:
                    db.execute(f"DROP TRIGGER IF EXISTS {name}")
                db.execute(_triggers(db)[name])
        return damaged

    # -- reading --------------------------------------------------------------------------------

    def scan(self, customer_reference: str | None = None) -> EvidenceScan:
        """Every entry in order (or only ``customer_reference``'s), with those that cannot be
        read back set apart instead of raising."""
        if customer_reference is None:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM mca_evidence ORDER BY seq")
        else:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM mca_evidence WHERE customer_reference = ? ORDER BY seq",
                (customer_reference,),
            )
        entries: list[McaEvidenceEntry] = []
        damaged: list[DamagedEntry] = []
        for row in rows:
            read = _entry(row)
            if isinstance(read, DamagedEntry):
                damaged.append(read)
            else:
                entries.append(read)
        return EvidenceScan(entries, damaged)

    def entries(self, customer_reference: str | None = None) -> list[McaEvidenceEntry]:
        """Every entry in order, or only ``customer_reference``'s.

        Raises :class:`McaEvidenceDamagedError` naming every entry that cannot be read back
        (:meth:`scan` returns the readable ones and the damaged ones instead).
        """
        scan = self.scan(customer_reference)
        if scan.damaged:
            raise _damaged_error(self.path, scan.damaged)
        return scan.entries

    def latest(self, customer_reference: str) -> McaEvidenceEntry | None:
        """The customer's most recent entry, or None if none is recorded.

        Raises :class:`McaEvidenceDamagedError` when that entry cannot be read back.
        """
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM mca_evidence WHERE customer_reference = ? "
            "ORDER BY seq DESC LIMIT 1",
            (customer_reference,),
        ).fetchone()
        if row is None:
            return None
        read = _entry(row)
        if isinstance(read, DamagedEntry):
            raise _damaged_error(self.path, [read])
        return read

    def head(self) -> McaEvidenceHead:
        """The last entry's sequence number and hash (``0`` and :data:`GENESIS` when empty).

        Keep it elsewhere and pass it to :meth:`verify` as ``expect_head`` later.
        """
        row = self._db.execute(
            "SELECT seq, hash FROM mca_evidence ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return McaEvidenceHead(int(row[0]), str(row[1])) if row else McaEvidenceHead(0, GENESIS)

    def verify(
        self, *, expect_head: McaEvidenceHead | None = None, unkeyed_through: int = 0
    ) -> VerifyResult:
        """Walk the chain from the first entry: ok, or the first broken entry and why.

        Every entry must follow the one before, be readable and match its hash. Entries carry
        no MAC only at the start (a log keyed later); a missing MAC after a keyed entry means
        it was removed. With a key, every MAC is checked, and an entry without one fails unless
        its sequence number is at most ``unkeyed_through`` (the entries the host knows were
        recorded before it keyed the log). With ``expect_head`` (an anchor kept elsewhere),
        the log must still hold that entry with that hash: this finds the last entries cut
        off, the file emptied, and entries rewritten with recomputed hashes behind the anchor.
        A missing or changed protective trigger also makes the log not ``ok``.
        """
        missing = tuple(_trigger_damage(self._db))
        key = self._key
        expected_seq, prev_hash, checked, unkeyed, keyed_seen = 1, GENESIS, 0, 0, False
        anchored = GENESIS if expect_head is not None and expect_head.seq == 0 else None

        def broken(seq: int, reason: str) -> VerifyResult:
            return VerifyResult(
                False, checked, seq, reason, missing, unkeyed, macs_checked=key is not None
            )

        rows = self._db.execute(f"SELECT {_COLUMNS} FROM mca_evidence ORDER BY seq")
        for row in rows:
            seq, customer, recorded_at, payload, stored_prev, stored_hash, mac = row
            if seq != expected_seq:
                return broken(seq, f"entry {expected_seq} is missing")
            if stored_prev != prev_hash:
                return broken(seq, "does not follow the entry before it")
            entry = _entry(row)
            if isinstance(entry, DamagedEntry):
                return broken(seq, entry.reason)
            try:
                digest = entry_hash(seq, customer, recorded_at, payload, stored_prev)
            except (TypeError, ValueError):
                return broken(seq, _UNREADABLE)
            if entry.acceptance.customer_reference != customer or digest != stored_hash:
                return broken(seq, "its content does not match its hash")
            if mac is None:
                if keyed_seen:
                    return broken(
                        seq, "has no MAC although an entry before it has one: it was removed"
                    )
                if key is not None and seq > unkeyed_through:
                    return broken(
                        seq,
                        "has no MAC: it was recorded without the key, or its MAC was removed "
                        "(if the entries up to it were recorded before the log was keyed, "
                        f"accept them with unkeyed_through={seq} or more)",
                    )
                unkeyed += 1
            else:
                keyed_seen = True
                if key is not None and not hmac.compare_digest(
                    str(mac), entry_mac(key, seq, stored_hash)
                ):
                    return broken(
                        seq, "its MAC does not match: rewritten without the key, or another key"
                    )
            if expect_head is not None and seq == expect_head.seq:
                anchored = stored_hash
            expected_seq, prev_hash, checked = seq + 1, stored_hash, checked + 1
        if expect_head is not None:
            if anchored is None:
                last = expected_seq - 1
                found = (
                    f"the log ends at entry {last}: its last entries were cut off"
                    if last
                    else "the log has no entries: it was emptied, or replaced by a new file"
                )
                return broken(expect_head.seq, f"the anchored head's entry is missing; {found}")
            if anchored != expect_head.hash:
                return broken(
                    expect_head.seq,
                    "its hash is not the anchored head's: the log was rewritten up to it",
                )
        ok = not missing
        reason = None if ok else f"the log is not guarded: {_describe(list(missing))}"
        return VerifyResult(ok, checked, None, reason, missing, unkeyed, key is not None)

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


_UNREADABLE = "the acceptance is not readable"


def _trigger_damage(db: Database) -> list[str]:
    """The protective triggers that are missing or no longer the ones the log created (on
    PostgreSQL also: disabled, or calling a function that no longer refuses)."""
    if db.engine == "postgresql":
        found = {  # the definition, its schema qualifiers dropped
            str(name): _UNQUALIFIED.sub(r"\1 ", " ".join(str(sql).split()))
            for name, sql, enabled, body in db.execute(
                "SELECT t.tgname, pg_get_triggerdef(t.oid), t.tgenabled, p.prosrc"
                " FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
                " WHERE t.tgrelid = to_regclass('mca_evidence') AND NOT t.tgisinternal"
            )
            if enabled == "O" and " ".join(str(body).split()) == " ".join(_PG_BODY.split())
        }
    else:
        found = {
            str(name): " ".join(str(sql).split())
            for name, sql in db.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'mca_evidence'"
            )
        }
    return [name for name, sql in _triggers(db).items() if found.get(name) != " ".join(sql.split())]


def _describe(triggers: list[str]) -> str:
    return "; ".join(
        f"the trigger {name} refusing {name.rsplit('_', 1)[-1].upper()} is missing or changed"
        for name in triggers
    )


def _damaged_error(path: str, damaged: list[DamagedEntry]) -> errors.McaEvidenceDamagedError:
    listed = "; ".join(f"entry #{item.seq}: {item.reason}" for item in damaged)
    return errors.McaEvidenceDamagedError(
        f"the MCA evidence log {path} is damaged: {listed}",
        damaged_seqs=[item.seq for item in damaged],
    )


def _entry(row: tuple[Any, ...]) -> McaEvidenceEntry | DamagedEntry:
    """Read a row back as an entry, or say why it cannot be (a :class:`DamagedEntry`)."""
    seq, _customer, recorded_at, payload, prev_hash, digest, mac = row
    try:
        when = datetime.fromisoformat(recorded_at)
    except (TypeError, ValueError):
        return DamagedEntry(seq, f"its recording time {recorded_at!r} is not readable")
    try:
        acceptance = McaAcceptance.model_validate_json(payload)
    except (TypeError, ValueError, ValidationError):
        return DamagedEntry(seq, _UNREADABLE)
    return McaEvidenceEntry(
        seq=seq,
        recorded_at=when,
        acceptance=acceptance,
        mac=mac,
        prev_hash=prev_hash,
        hash=digest,
    )
