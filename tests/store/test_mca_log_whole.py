"""The MCA evidence log proves it is whole: anchored heads, a keyed chain, its guards reported
(never silently re-created), and damaged entries reported instead of crashing a reader."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from evidence_world import NOW, accepted, raw

from csp_commerce.errors import ConfigurationError, InputError, McaEvidenceDamagedError
from csp_commerce.store import McaEvidenceLog, VerifyResult
from csp_commerce.store.mca_log import (
    GENESIS,
    TRIGGERS,
    DamagedEntry,
    McaEvidenceHead,
    canonical_json,
    entry_hash,
    entry_mac,
)

KEY = b"the host's secret key, 32 bytes!"


def forge(path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    """A careful forger: drop the guards, change the table, put the very same guards back."""
    db = raw(path)
    for name in TRIGGERS:
        db.execute(f"DROP TRIGGER {name}")
    for sql, params in statements:
        db.execute(sql, params)
    for sql in TRIGGERS.values():
        db.execute(sql)
    db.close()


def rewrite_all(path: Path, log: McaEvidenceLog, confirmed_by: str = "forger") -> None:
    """Change every entry's acceptance and recompute every hash (keeping the stored MACs)."""
    statements = []
    prev = GENESIS
    for entry in log.entries():
        forged = entry.acceptance.model_copy(update={"confirmed_by": confirmed_by})
        payload = canonical_json(forged.model_dump(mode="json"))
        ref, when = forged.customer_reference, entry.recorded_at.isoformat()
        digest = entry_hash(entry.seq, ref, when, payload, prev)
        statements.append(
            (
                "UPDATE mca_evidence SET acceptance_json = ?, prev_hash = ?, hash = ? "
                "WHERE seq = ?",
                (payload, prev, digest, entry.seq),
            )
        )
        prev = digest
    forge(path, *statements)


def test_the_head_is_sequence_and_hash(log: McaEvidenceLog) -> None:
    assert log.head() == McaEvidenceHead(0, GENESIS)
    log.append(accepted())
    entry = log.append(accepted("cust-2"))
    head = log.head()
    assert head == McaEvidenceHead(2, entry.hash)
    assert str(head) == f"2:{entry.hash}"
    assert McaEvidenceHead.parse(f" 2:{entry.hash.upper()}\n") == head
    assert log.verify(expect_head=head).ok


@pytest.mark.parametrize(
    "text", ["", "2", "2:abc", f"-1:{GENESIS}", f"x:{GENESIS}", "0:" + "1" * 64]
)
def test_a_malformed_head_is_input_error(text: str) -> None:
    with pytest.raises(InputError):
        McaEvidenceHead.parse(text)


def test_an_older_anchor_still_verifies_after_more_entries(log: McaEvidenceLog) -> None:
    log.append(accepted())
    anchor = log.head()
    log.append(accepted("cust-2"))
    assert log.verify(expect_head=anchor).ok
    assert log.verify(expect_head=McaEvidenceHead(0, GENESIS)).ok


def test_cutting_off_the_last_entries_fails_against_the_anchor(
    log: McaEvidenceLog, path: Path
) -> None:
    for n in range(4):
        log.append(accepted(f"cust-{n}"))
    anchor = log.head()
    forge(path, ("DELETE FROM mca_evidence WHERE seq > 2", ()))
    assert log.verify() == VerifyResult(ok=True, checked=2, unkeyed=2)  # the chain alone is fooled
    result = log.verify(expect_head=anchor)
    assert (result.ok, result.broken_seq, result.checked) == (False, 4, 2)
    assert result.reason is not None and "ends at entry 2" in result.reason


def test_an_emptied_table_fails_against_the_anchor(log: McaEvidenceLog, path: Path) -> None:
    for n in range(2):
        log.append(accepted(f"cust-{n}"))
    anchor = log.head()
    forge(path, ("DELETE FROM mca_evidence", ()))
    assert log.verify().ok
    result = log.verify(expect_head=anchor)
    assert (result.ok, result.broken_seq) == (False, 2)
    assert result.reason is not None and "emptied" in result.reason


def test_an_emptied_file_fails_against_the_anchor(path: Path) -> None:
    with McaEvidenceLog(path) as log:
        log.append(accepted())
        anchor = log.head()
    path.write_bytes(b"")
    with McaEvidenceLog(path) as reopened:
        assert reopened.verify().ok
        result = reopened.verify(expect_head=anchor)
    assert (result.ok, result.broken_seq) == (False, 1)


def test_a_rewrite_with_recomputed_hashes_passes_the_chain_but_not_the_anchor(
    log: McaEvidenceLog, path: Path
) -> None:
    for n in range(3):
        log.append(accepted(f"cust-{n}"))
    anchor = log.head()
    rewrite_all(path, log)
    assert [e.acceptance.confirmed_by for e in log.entries()] == ["forger"] * 3
    assert log.verify().ok  # no key, no anchor: undetectable
    result = log.verify(expect_head=anchor)
    assert (result.ok, result.broken_seq) == (False, 3)
    assert result.reason is not None and "rewritten" in result.reason


def test_a_keyed_chain_finds_a_rewrite_without_an_anchor(path: Path) -> None:
    with McaEvidenceLog(path, key=KEY) as log:
        entries = [log.append(accepted(f"cust-{n}")) for n in range(3)]
        assert all(e.mac == entry_mac(KEY, e.seq, e.hash) for e in entries)
        assert log.verify() == VerifyResult(ok=True, checked=3, macs_checked=True)
        rewrite_all(path, log)
        result = log.verify()
    assert (result.ok, result.broken_seq, result.checked) == (False, 1, 0)
    assert result.reason is not None and "MAC does not match" in result.reason
    with McaEvidenceLog(path) as without_key:  # without the key only the chain is checked
        assert without_key.verify() == VerifyResult(ok=True, checked=3)


def test_stripping_the_macs_does_not_hide_a_rewrite(path: Path) -> None:
    with McaEvidenceLog(path, key=KEY) as log:
        for n in range(3):
            log.append(accepted(f"cust-{n}"))
        forge(path, ("UPDATE mca_evidence SET mac = NULL WHERE seq >= 2", ()))
        result = log.verify()
        assert (result.ok, result.broken_seq) == (False, 2)
        assert result.reason is not None and "was removed" in result.reason
        forge(path, ("UPDATE mca_evidence SET mac = NULL", ()))
        rewrite_all(path, log)
        result = log.verify()
    assert (result.ok, result.broken_seq, result.unkeyed) == (False, 1, 0)
    assert result.reason is not None and "has no MAC" in result.reason


def test_a_log_made_without_a_key_can_be_keyed_later(path: Path) -> None:
    # A log of an earlier version: no mac column at all.
    path.parent.mkdir(parents=True, exist_ok=True)
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(
        "CREATE TABLE mca_evidence (seq INTEGER PRIMARY KEY, customer_reference TEXT NOT NULL,"
        " recorded_at TEXT NOT NULL, acceptance_json TEXT NOT NULL, prev_hash TEXT NOT NULL,"
        " hash TEXT NOT NULL UNIQUE);" + ";".join(TRIGGERS.values()) + ";"
    )
    prev = GENESIS
    for seq in (1, 2):
        payload = canonical_json(accepted(f"cust-{seq}").model_dump(mode="json"))
        digest = entry_hash(seq, f"cust-{seq}", NOW.isoformat(), payload, prev)
        old.execute(
            "INSERT INTO mca_evidence VALUES (?, ?, ?, ?, ?, ?)",
            (seq, f"cust-{seq}", NOW.isoformat(), payload, prev, digest),
        )
        prev = digest
    old.close()

    with McaEvidenceLog(path) as unkeyed:
        assert unkeyed.verify() == VerifyResult(ok=True, checked=2, unkeyed=2)
    with McaEvidenceLog(path, key=KEY, clock=lambda: NOW) as keyed:
        result = keyed.verify()
        assert (result.ok, result.broken_seq, result.unkeyed) == (False, 1, 0)
        assert result.reason is not None and "unkeyed_through" in result.reason
        third = keyed.append(accepted("cust-3"))
        assert third.mac is not None and third.prev_hash == prev
        assert keyed.verify(unkeyed_through=2) == VerifyResult(
            ok=True, checked=3, unkeyed=2, macs_checked=True
        )
    with McaEvidenceLog(path) as unkeyed:
        assert unkeyed.verify() == VerifyResult(ok=True, checked=3, unkeyed=2)


def test_a_keyed_log_refuses_appends_without_its_key(path: Path) -> None:
    with McaEvidenceLog(path, key=KEY) as log:
        log.append(accepted())
    with McaEvidenceLog(path) as no_key, pytest.raises(ConfigurationError, match="is keyed"):
        no_key.append(accepted())
    other = McaEvidenceLog(path, key=b"another key of 32 bytes, really!")
    with other, pytest.raises(ConfigurationError, match="does not match"):
        other.append(accepted())
    with McaEvidenceLog(path, key=KEY) as log:
        assert len(log.entries()) == 1


def test_the_key_is_checked_and_never_stored(path: Path) -> None:
    with pytest.raises(ConfigurationError, match="16 bytes"):
        McaEvidenceLog(path, key=b"short")
    with McaEvidenceLog(path, key=KEY) as log:
        log.append(accepted())
    assert KEY not in path.read_bytes()


def test_a_dropped_trigger_is_reported_not_recreated(log: McaEvidenceLog, path: Path) -> None:
    log.append(accepted())
    db = raw(path)
    db.execute("DROP TRIGGER mca_evidence_no_delete")
    db.close()
    with McaEvidenceLog(path) as reopened:
        result = reopened.verify()
        assert (result.ok, result.broken_seq, result.checked) == (False, None, 1)
        assert result.missing_triggers == ("mca_evidence_no_delete",)
        assert result.reason is not None and "refusing DELETE" in result.reason
        with pytest.raises(McaEvidenceDamagedError, match="not guarded"):
            reopened.append(accepted("cust-2"))
        assert len(reopened.entries()) == 1  # reading still works; nothing was appended
    db = raw(path)
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
    db.close()
    assert names == ["mca_evidence_no_update"]  # opening did not put it back

    with McaEvidenceLog(path) as repaired:
        assert repaired.restore_triggers() == ["mca_evidence_no_delete"]
        assert repaired.verify().ok
        repaired.append(accepted("cust-2"))
        assert repaired.restore_triggers() == []


def test_a_disarmed_trigger_is_reported(log: McaEvidenceLog, path: Path) -> None:
    log.append(accepted())
    db = raw(path)
    db.execute("DROP TRIGGER mca_evidence_no_update")
    db.execute(
        "CREATE TRIGGER mca_evidence_no_update BEFORE UPDATE ON mca_evidence BEGIN SELECT 1; END"
    )
    db.close()
    result = log.verify()
    assert (result.ok, result.missing_triggers) == (False, ("mca_evidence_no_update",))


def test_damaged_rows_are_reported_not_raised_raw(log: McaEvidenceLog, path: Path) -> None:
    for n in range(3):
        log.append(accepted(f"cust-{n}"))
    forge(
        path,
        ("UPDATE mca_evidence SET acceptance_json = '{' WHERE seq = 2", ()),
        ("UPDATE mca_evidence SET recorded_at = 'yesterday' WHERE seq = 3", ()),
    )
    scan = log.scan()
    assert [e.seq for e in scan.entries] == [1]
    assert scan.damaged == [
        DamagedEntry(2, "the acceptance is not readable"),
        DamagedEntry(3, "its recording time 'yesterday' is not readable"),
    ]
    with pytest.raises(McaEvidenceDamagedError, match="entry #2") as raised:
        log.entries()
    assert raised.value.damaged_seqs == (2, 3)
    with pytest.raises(McaEvidenceDamagedError):
        log.latest("cust-1")
    assert log.latest("cust-0") is not None
    result = log.verify()
    assert (result.ok, result.broken_seq, result.reason) == (
        False,
        2,
        "the acceptance is not readable",
    )


def test_an_unreadable_time_with_a_recomputed_hash_is_found(
    log: McaEvidenceLog, path: Path
) -> None:
    entry = log.append(accepted())
    payload = canonical_json(entry.acceptance.model_dump(mode="json"))
    digest = entry_hash(1, "cust-1", "yesterday", payload, GENESIS)
    forge(
        path,
        ("UPDATE mca_evidence SET recorded_at = 'yesterday', hash = ? WHERE seq = 1", (digest,)),
    )
    result = log.verify()
    assert (result.ok, result.broken_seq) == (False, 1)
    assert result.reason is not None and "recording time" in result.reason
