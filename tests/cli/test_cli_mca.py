"""``csp-commerce mca record|list|export|verify``: evidence in, evidence out, tampering found."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from csp_commerce.cli import main

PERSON = ["--first-name", "Ada", "--last-name", "Lovelace", "--email", "ada@contoso.com"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def record(capsys: pytest.CaptureFixture[str], home: Path, customer: str, *extra: str) -> int:
    code, _, _ = run(
        capsys, "mca", "record", "--home", str(home), "--customer", customer, *PERSON, *extra
    )
    return code


def test_record_list_export_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ("--home", str(tmp_path))
    assert record(capsys, tmp_path, "contoso", "--phone", "+14255550100") == 0
    assert (
        record(capsys, tmp_path, "fabrikam", "--phone", "+1425", "--source", "reseller",
               "--reseller-id", "4100001", "--accepted-at", "2026-03-01T10:00:00Z")
        == 0
    )  # fmt: skip

    code, out, _ = run(capsys, "mca", "list", *home)
    assert code == 0 and "contoso" in out and "4100001" in out

    code, out, _ = run(capsys, "mca", "export", "--format", "csv", *home)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["customer_reference"] for row in rows] == ["contoso", "fabrikam"]
    assert rows[1]["accepted_at"] == "2026-03-01T10:00:00+00:00"
    assert rows[0]["template_id"]  # the sandbox's current MCA template, read through the client

    code, out, _ = run(capsys, "mca", "export", "--format", "json", *home)
    assert json.loads(out)[1]["resellerPartnerId"] == "4100001"

    code, out, _ = run(capsys, "mca", "verify", *home)
    assert code == 0 and "intact: 2 entries" in out


def test_an_acceptance_that_is_not_evidence_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # No phone number, and a reseller's confirmation without the reseller's id.
    assert record(capsys, tmp_path, "contoso", "--source", "reseller") == 1
    code, out, _ = run(capsys, "mca", "list", "--home", str(tmp_path))
    assert code == 0 and "0 entries" in out


def test_a_bad_accepted_at_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert record(capsys, tmp_path, "contoso", "--phone", "1", "--accepted-at", "yesterday") == 2
    assert record(capsys, tmp_path, "contoso", "--phone", "1", "--accepted-at", "2026-01-01") == 2


def test_verify_names_the_tampered_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for customer in ("a", "b", "c"):
        assert record(capsys, tmp_path, customer, "--phone", "1") == 0
    with sqlite3.connect(tmp_path / "sandbox" / "mca.sqlite3") as db:
        db.execute("DROP TRIGGER mca_evidence_no_update")
        db.execute(
            "UPDATE mca_evidence SET acceptance_json = replace(acceptance_json, 'Ada', 'Eve')"
            " WHERE seq = 2"
        )

    code, out, _ = run(capsys, "mca", "verify", "--home", str(tmp_path))

    assert code == 1
    assert "broken at entry #2" in out and "does not match its hash" in out


# -- a log that proves it is whole ---------------------------------------------------------------

KEY = "a key the host keeps, 32 bytes.."


def forge(db_path: Path, *statements: str) -> None:
    """Change the table behind the log's back and put the very same triggers back."""
    from csp_commerce.store.mca_log import TRIGGERS

    db = sqlite3.connect(db_path, isolation_level=None)
    for name in TRIGGERS:
        db.execute(f"DROP TRIGGER {name}")
    for sql in statements:
        db.execute(sql)
    for sql in TRIGGERS.values():
        db.execute(sql)
    db.close()


def rewrite_with_recomputed_hashes(db_path: Path) -> None:
    """Replace 'Ada' by 'Eve' in every entry and recompute every hash (the MACs stay)."""
    from csp_commerce.store.mca_log import GENESIS, entry_hash

    db = sqlite3.connect(db_path, isolation_level=None)
    rows = db.execute(
        "SELECT seq, customer_reference, recorded_at, acceptance_json FROM mca_evidence"
        " ORDER BY seq"
    ).fetchall()
    db.close()
    statements, prev = [], GENESIS
    for seq, customer, recorded_at, payload in rows:
        forged = payload.replace("Ada", "Eve")
        digest = entry_hash(seq, customer, recorded_at, forged, prev)
        statements.append(
            f"UPDATE mca_evidence SET acceptance_json = '{forged}', prev_hash = '{prev}',"
            f" hash = '{digest}' WHERE seq = {seq}"
        )
        prev = digest
    forge(db_path, *statements)


def test_head_and_verify_expect_head(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ("--home", str(tmp_path))
    code, out, _ = run(capsys, "mca", "head", *home)
    assert code == 0 and out.strip() == "0:" + "0" * 64
    for customer in ("a", "b", "c"):
        assert record(capsys, tmp_path, customer, "--phone", "1") == 0

    code, out, err = run(capsys, "mca", "head", *home)
    anchor = out.strip()
    assert code == 0 and anchor.startswith("3:") and len(anchor) == 66
    assert "--expect-head" in err
    code, out, _ = run(capsys, "mca", "head", "--json", *home)
    assert json.loads(out) == {"seq": 3, "hash": anchor[2:], "head": anchor}

    code, out, _ = run(capsys, "mca", "verify", "--expect-head", anchor, *home)
    assert code == 0 and f"head {anchor}" in out and "anchored head (entry #3)" in out

    forge(tmp_path / "sandbox" / "mca.sqlite3", "DELETE FROM mca_evidence WHERE seq = 3")
    code, out, _ = run(capsys, "mca", "verify", *home)
    assert code == 0  # without the anchor the shorter chain looks whole
    code, out, _ = run(capsys, "mca", "verify", "--expect-head", anchor, *home)
    assert code == 1 and "broken at entry #3" in out and "cut off" in out


def test_verify_expect_head_finds_an_emptied_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert record(capsys, tmp_path, "a", "--phone", "1") == 0
    _, anchor, _ = run(capsys, "mca", "head", "--home", str(tmp_path))
    (tmp_path / "sandbox" / "mca.sqlite3").write_bytes(b"")
    code, out, _ = run(
        capsys, "mca", "verify", "--expect-head", anchor.strip(), "--home", str(tmp_path)
    )
    assert code == 1 and "emptied" in out


@pytest.mark.parametrize("text", ["3", "3:xyz", "latest"])
def test_a_malformed_expect_head_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    code, _, err = run(capsys, "mca", "verify", "--expect-head", text, "--home", str(tmp_path))
    assert code == 2 and "SEQ:HASH" in err and "Traceback" not in err


def test_a_keyed_log_finds_a_rewrite_with_recomputed_hashes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = ("--home", str(tmp_path))
    monkeypatch.setenv("CSP_COMMERCE_MCA_KEY", KEY)
    for customer in ("a", "b"):
        assert record(capsys, tmp_path, customer, "--phone", "1") == 0
    code, out, _ = run(capsys, "mca", "verify", *home)
    assert code == 0 and "intact: 2 entries" in out and "MACs not checked" not in out
    _, anchor, _ = run(capsys, "mca", "head", *home)

    rewrite_with_recomputed_hashes(tmp_path / "sandbox" / "mca.sqlite3")
    code, out, _ = run(capsys, "mca", "verify", *home)
    assert code == 1 and "broken at entry #1" in out and "MAC does not match" in out

    # the key from a file instead of the environment
    monkeypatch.delenv("CSP_COMMERCE_MCA_KEY")
    (tmp_path / "key").write_text(KEY + "\n")
    code, out, _ = run(capsys, "mca", "verify", "--key-file", str(tmp_path / "key"), *home)
    assert code == 1 and "MAC does not match" in out

    # without the key the rewrite passes the chain, but not the anchor
    code, out, _ = run(capsys, "mca", "verify", *home)
    assert code == 0 and "MACs not checked" in out
    code, out, _ = run(capsys, "mca", "verify", "--expect-head", anchor.strip(), *home)
    assert code == 1 and "rewritten" in out

    # and a keyed log takes no entry without its key
    assert record(capsys, tmp_path, "c", "--phone", "1") == 2


def test_a_log_keyed_later_reports_its_unkeyed_entries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = ("--home", str(tmp_path))
    assert record(capsys, tmp_path, "a", "--phone", "1") == 0
    code, out, _ = run(capsys, "mca", "verify", *home)
    assert code == 0 and "entries #1–#1 carry no MAC" in out
    monkeypatch.setenv("CSP_COMMERCE_MCA_KEY", KEY)
    assert record(capsys, tmp_path, "b", "--phone", "1") == 0
    code, out, _ = run(capsys, "mca", "verify", *home)
    assert code == 1 and "broken at entry #1" in out and "has no MAC" in out
    code, out, _ = run(capsys, "mca", "verify", "--unkeyed-through", "1", *home)
    assert code == 0 and "intact: 2 entries" in out and "entries #1–#1 carry no MAC" in out


def test_a_dropped_trigger_is_reported_and_restored_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ("--home", str(tmp_path))
    assert record(capsys, tmp_path, "a", "--phone", "1") == 0
    with sqlite3.connect(tmp_path / "sandbox" / "mca.sqlite3") as db:
        db.execute("DROP TRIGGER mca_evidence_no_delete")

    code, out, _ = run(capsys, "mca", "verify", *home)
    assert code == 1 and "damaged" in out and "mca_evidence_no_delete" in out
    code, out, _ = run(capsys, "mca", "verify", *home)
    assert code == 1  # still missing: opening the log did not re-create it
    code, _, err = run(capsys, "mca", "record", *home, "--customer", "b", *PERSON, "--phone", "1")
    assert code == 2 and "not guarded" in err and "Traceback" not in err

    code, out, _ = run(capsys, "mca", "restore-triggers", *home)
    assert code == 0 and "restored mca_evidence_no_delete" in out
    code, out, _ = run(capsys, "mca", "verify", *home)
    assert code == 0 and "intact: 1 entries" in out


def test_a_corrupt_entry_is_reported_by_list_export_and_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ("--home", str(tmp_path))
    for customer in ("a", "b", "c"):
        assert record(capsys, tmp_path, customer, "--phone", "1") == 0
    forge(
        tmp_path / "sandbox" / "mca.sqlite3",
        "UPDATE mca_evidence SET acceptance_json = '{' WHERE seq = 2",
    )

    code, out, err = run(capsys, "mca", "list", *home)
    assert code == 2
    assert "entry #2 cannot be read: the acceptance is not readable" in err
    assert "Traceback" not in err and " a " in out and " c " in out  # the readable ones

    for fmt in ("csv", "json"):
        code, out, err = run(capsys, "mca", "export", "--format", fmt, *home)
        assert code == 2 and out == "" and "entry #2 cannot be read" in err
        assert "nothing exported" in err
    target = tmp_path / "out.csv"
    code, _, _ = run(capsys, "mca", "export", "-o", str(target), *home)
    assert code == 2 and not target.exists()

    code, out, _ = run(capsys, "mca", "verify", *home)
    assert code == 1 and "broken at entry #2: the acceptance is not readable" in out


def test_export_carries_the_mac(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSP_COMMERCE_MCA_KEY", KEY)
    assert record(capsys, tmp_path, "a", "--phone", "1") == 0
    code, out, _ = run(capsys, "mca", "export", "--format", "json", "--home", str(tmp_path))
    assert code == 0 and len(json.loads(out)[0]["mac"]) == 64


def test_csv_export_guards_formulas_and_writes_the_file_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert record(capsys, tmp_path, "=cmd|' /C calc'!A0", "--phone", "+14255550100") == 0
    out_file = tmp_path / "export.csv"
    code, _, _ = run(
        capsys, "mca", "export", "--format", "csv", "--home", str(tmp_path), "-o", str(out_file)
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert rows[0]["customer_reference"] == "'=cmd|' /C calc'!A0"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
