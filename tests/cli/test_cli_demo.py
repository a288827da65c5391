"""``csp-commerce demo``: the narrated main job on the sandbox ends green, in a fresh data dir."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from csp_commerce.cli import main
from csp_commerce.cli.demo import RecordingSleep
from csp_commerce.sandbox import Sandbox
from csp_commerce.store.ledger import Ledger, OrderStatus


def test_demo_runs_every_step_as_expected_and_keeps_data_with_home(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["demo", "--home", str(tmp_path), "--orders", "8"])
    out = capsys.readouterr().out

    assert code == 0, out
    assert "every step went as expected" in out
    assert "…" not in out  # ids and catalog item ids wrap in a narrow terminal, never cut
    assert "eligibility.not_qualified" in out  # the education offer is refused
    assert "tenant.needs_invitation" in out and "partner-invitation" in out
    assert "4100001" in out and "4100002" in out  # each reseller's partner id on record
    assert "Retry-After honoured" in out
    with Ledger(tmp_path / "sandbox" / "ledger.sqlite3") as ledger:
        placed = ledger.orders(OrderStatus.PLACED)
        assert ledger.unfinished() == []
    # 3 Contoso + 1 Fabrikam + 2 Northwind + 8 faulty-stretch orders were placed.
    assert len(placed) == 14
    world = Sandbox.load(tmp_path / "sandbox" / "sandbox.json").world
    subscriptions = sum(len(customer.subscriptions) for customer in world.customers.values())
    # Contoso's third order merged into its monthly subscription: one fewer than the orders.
    assert subscriptions == 13


def test_demo_twice_in_the_same_home_still_goes_as_expected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--home", str(tmp_path), "--orders", "2"]) == 0
    assert main(["demo", "--home", str(tmp_path), "--orders", "2"]) == 0
    assert capsys.readouterr().out.count("every step went as expected") == 2


def test_demo_without_home_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSP_COMMERCE_HOME", raising=False)

    assert main(["demo", "--orders", "2"]) == 0
    assert "csp-commerce-demo-" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_the_demo_retry_sleep_records_the_wait_but_sleeps_a_few_ms() -> None:
    sleep = RecordingSleep(cap=0.001)
    started = time.perf_counter()
    sleep(2.0)
    sleep(0.0005)

    assert sleep.waits == [2.0, 0.0005]
    assert time.perf_counter() - started < 0.5
