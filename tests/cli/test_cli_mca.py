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
    assert json.loads(out)[1]["reseller_partner_id"] == "4100001"

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
    with sqlite3.connect(tmp_path / "mca.sqlite3") as db:
        db.execute("DROP TRIGGER mca_evidence_no_update")
        db.execute(
            "UPDATE mca_evidence SET acceptance_json = replace(acceptance_json, 'Ada', 'Eve')"
            " WHERE seq = 2"
        )

    code, out, _ = run(capsys, "mca", "verify", "--home", str(tmp_path))

    assert code == 1
    assert "broken at entry #2" in out and "does not match its hash" in out
