"""The MCA evidence log: append-only, hash-chained, tamper-evident."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from evidence_world import NOW, accepted, raw

from csp_commerce import AcceptanceSource
from csp_commerce.store import McaEvidenceLog, VerifyResult
from csp_commerce.store.mca_log import GENESIS, canonical_json, entry_hash


def test_entries_chain_their_hashes(log: McaEvidenceLog) -> None:
    first = log.append(accepted("cust-1"))
    second = log.append(
        accepted("cust-2", source=AcceptanceSource.RESELLER, reseller_partner_id="1234567")
    )
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert log.head().hash == second.hash
    assert first.recorded_at == NOW


def test_the_hash_is_sha256_of_canonical_json(log: McaEvidenceLog) -> None:
    entry = log.append(accepted())
    body = {
        "seq": 1,
        "customer_reference": "cust-1",
        "recorded_at": NOW.isoformat(),
        "acceptance": json.loads(canonical_json(entry.acceptance.model_dump(mode="json"))),
        "prev_hash": GENESIS,
    }
    expected = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    assert entry.hash == expected


def test_reading_back_by_customer_and_latest(log: McaEvidenceLog, path: Path) -> None:
    log.append(accepted("cust-1", confirmed_by="first"))
    log.append(accepted("cust-2"))
    log.append(accepted("cust-1", confirmed_by="second"))
    assert [e.seq for e in log.entries()] == [1, 2, 3]
    assert [e.acceptance.confirmed_by for e in log.entries("cust-1")] == ["first", "second"]
    latest = log.latest("cust-1")
    assert latest is not None and latest.acceptance.confirmed_by == "second"
    assert log.latest("nobody") is None
    # everything survives reopening the file
    with McaEvidenceLog(path) as again:
        assert again.entries() == log.entries()


def test_an_intact_log_verifies(log: McaEvidenceLog) -> None:
    assert log.verify() == VerifyResult(ok=True, checked=0)
    for n in range(3):
        log.append(accepted(f"cust-{n}"))
    assert log.verify() == VerifyResult(ok=True, checked=3, unkeyed=3)


def test_update_and_delete_are_refused(log: McaEvidenceLog, path: Path) -> None:
    log.append(accepted())
    db = raw(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE mca_evidence SET customer_reference = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM mca_evidence")
    db.close()


def tamper(path: Path, sql: str, *params: object) -> None:
    """Drop the guards and change the table behind the log's back."""
    db = raw(path)
    db.execute("DROP TRIGGER mca_evidence_no_update")
    db.execute("DROP TRIGGER mca_evidence_no_delete")
    db.execute(sql, params)
    db.close()


def test_a_changed_acceptance_is_found(log: McaEvidenceLog, path: Path) -> None:
    for n in range(3):
        log.append(accepted(f"cust-{n}"))
    forged = canonical_json(accepted("cust-1", confirmed_by="someone else").model_dump(mode="json"))
    tamper(path, "UPDATE mca_evidence SET acceptance_json = ? WHERE seq = 2", forged)
    result = log.verify()
    assert (result.ok, result.broken_seq, result.checked) == (False, 2, 1)
    assert result.reason is not None and "hash" in result.reason


def test_a_deleted_entry_is_found(log: McaEvidenceLog, path: Path) -> None:
    for n in range(3):
        log.append(accepted(f"cust-{n}"))
    tamper(path, "DELETE FROM mca_evidence WHERE seq = 2")
    result = log.verify()
    assert (result.ok, result.broken_seq) == (False, 3)
    assert result.reason == "entry 2 is missing"


def test_a_consistently_rewritten_entry_breaks_the_next_link(
    log: McaEvidenceLog, path: Path
) -> None:
    for n in range(3):
        log.append(accepted(f"cust-{n}"))
    first = log.entries()[0]
    forged = canonical_json(accepted("cust-0", confirmed_by="forger").model_dump(mode="json"))
    rehashed = entry_hash(1, "cust-0", first.recorded_at.isoformat(), forged, GENESIS)
    tamper(
        path,
        "UPDATE mca_evidence SET acceptance_json = ?, hash = ? WHERE seq = 1",
        forged,
        rehashed,
    )
    result = log.verify()
    assert (result.ok, result.broken_seq, result.checked) == (False, 2, 1)
    assert result.reason == "does not follow the entry before it"


def test_unreadable_evidence_is_found(log: McaEvidenceLog, path: Path) -> None:
    log.append(accepted())
    tamper(path, "UPDATE mca_evidence SET acceptance_json = '{' WHERE seq = 1")
    result = log.verify()
    assert (result.ok, result.broken_seq, result.reason) == (
        False,
        1,
        "the acceptance is not readable",
    )


def test_an_unusable_path_is_a_configuration_error(tmp_path: Path) -> None:
    from csp_commerce.errors import ConfigurationError

    (tmp_path / "dir.sqlite3").mkdir()
    with pytest.raises(ConfigurationError):
        McaEvidenceLog(tmp_path / "dir.sqlite3")
