"""``csp-commerce catalog promotions`` and ``catalog term-end-dates`` on a saved sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli_subscriptions import Seeded, run, seed

from csp_commerce.cli._env import Environment

E3_ANNUAL = "39NFJQT1SP01:0001:39NFJQT1Q5P1"
E3_THREE_YEARS = "39NFJQT1SP02:0001:39NFJQT1Q5P2"


@pytest.fixture
def world(tmp_path: Path) -> Seeded:
    return seed(tmp_path / "home")


def _e3(world: Seeded) -> str:
    with Environment(world.home) as env:
        return env.sandbox.catalog.find("Microsoft 365 E3").catalog_item_id


def test_promotions_of_a_country(world: Seeded, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, world.args("catalog", "promotions", "--country", "US"))
    assert code == 0
    assert E3_ANNUAL in out and "CFQ7TTC0LFLX:0001" in out and "15" in out


def test_a_customers_eligibility_for_an_offers_promotions(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = world.args(
        "catalog", "promotions", "--country", "US", "--customer", world.customer,
        "--offer", _e3(world), "--quantity", "3", "--format", "json",
    )  # fmt: skip
    code, out, _ = run(capsys, argv)
    assert code == 0
    rows = {row["promotionId"]: row for row in json.loads(out)}
    # 3 seats: below both promotions' minimum of 5
    assert rows[E3_ANNUAL]["eligible"] == "no" and rows[E3_ANNUAL]["reasons"] == "SeatCount"
    assert rows[E3_THREE_YEARS]["term"] == "P3Y"
    code, _, err = run(capsys, world.args("catalog", "promotions", "--country", "US",
                                          "--customer", world.customer))  # fmt: skip
    assert code == 2 and "--offer" in err


def test_term_end_dates(world: Seeded, capsys: pytest.CaptureFixture[str]) -> None:
    argv = world.args("catalog", "term-end-dates", "--customer", world.customer, "--term", "P1Y")
    code, out, _ = run(capsys, argv)
    assert code == 0
    assert "calendarMonthAligned" in out and "subscriptionAligned" in out
    assert world.standard in out and world.e3 in out  # both bought on a one-year term
