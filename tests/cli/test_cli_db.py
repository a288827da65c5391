"""``csp-commerce db`` and ``--database``: the stores on SQLite or PostgreSQL, chosen by URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from csp_commerce.cli import main
from csp_commerce.store.ledger import Ledger, OrderStatus

SANDBOX_TARGET = "https://api.partnercenter.microsoft.com|"


def test_db_upgrade_reports_every_store_in_the_target_schemas_of_a_postgresql_database(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{postgres_url}{'&' if '?' in postgres_url else '?'}schema=shop"
    assert main(["--database", url, "db", "upgrade", "--home", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "ledger: schema version 3" in out and "(schema shop_sandbox)" in out
    assert "discovery: schema version 2" in out and "(schema shop_registry)" in out
    assert "mca_evidence: schema version 1" in out
    assert "partner_budget: schema version 1" in out
    assert main(["db", "upgrade", "--home", str(tmp_path), "--database", url]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["--database", postgres_url, "db", "upgrade", "--home", str(tmp_path)]) == 0
    assert "(schema csp_sandbox)" in capsys.readouterr().out  # no schema given: csp_
    assert not list(tmp_path.glob("**/*.sqlite3"))  # nothing went to files


def test_the_database_variable_chooses_the_stores_and_prune_keeps_open_orders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CSP_COMMERCE_DATABASE_URL", f"sqlite:///{tmp_path / 'db'}")
    home = tmp_path / "home"
    assert main(["db", "upgrade", "--home", str(home)]) == 0
    ledger_file = tmp_path / "db" / "sandbox" / "ledger.sqlite3"
    assert ledger_file.exists() and not home.joinpath("sandbox", "ledger.sqlite3").exists()
    with Ledger(ledger_file, clock=lambda: 0.0) as ledger:
        for order_id in ("old-done", "old-open"):
            ledger.record_order(order_id, "c", "{}", "{}", target="t", owner="w")
        ledger.end_order("old-done", "w", OrderStatus.PLACED, {}, notified=True)
    assert main(["db", "prune", "--older-than", "30", "--home", str(home)]) == 0
    assert "pruned 1 finished order(s)" in capsys.readouterr().out
    with Ledger(ledger_file) as ledger:
        assert [o.order_id for o in ledger.orders()] == ["old-open"]
    assert main(["db", "prune", "--older-than", "-1", "--home", str(home)]) == 2


def test_the_demo_runs_on_postgresql(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = f"{postgres_url}{'&' if '?' in postgres_url else '?'}schema=demo"
    code = main(["--database", database, "demo", "--home", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert not list(tmp_path.glob("**/*.sqlite3"))
    with Ledger(f"{database}_sandbox") as ledger:  # the demo's orders, in its schema
        assert ledger.orders(OrderStatus.PLACED)
