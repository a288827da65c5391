"""``csp-commerce renewals`` and ``subscriptions end-of-term`` end to end on the embedded
sandbox: a subscription left with auto-renew off shows as moving to the extended term with its
cost, an explicit cancel as ending, and moving the sandbox's time ahead makes both happen."""

from __future__ import annotations

import json

import pytest
from test_cli_subscriptions import Seeded, run, seed


@pytest.fixture
def world(tmp_path: object) -> Seeded:
    return seed(tmp_path / "home")  # type: ignore[operator]


def _renewals(world: Seeded, capsys: pytest.CaptureFixture[str], days: str) -> dict[str, dict]:  # type: ignore[type-arg]
    code, out, err = run(capsys, world.args(
        "renewals", "--days", days, "--customer", world.customer,
        "--price-list", str(world.prices), "--format", "json",
    ))  # fmt: skip
    assert code == 0, err
    return {item["subscriptionId"]: item for item in json.loads(out)["renewals"]}


def test_renewals_show_the_extended_term_and_its_cost_then_it_happens(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _renewals(world, capsys, "400")
    assert {item["outcome"] for item in before.values()} == {"renews"}

    code, _, err = run(capsys, world.args(
        "subscriptions", "auto-renew", "--customer", world.customer, world.e3, "off",
    ))  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, world.args(
        "subscriptions", "end-of-term", "--customer", world.customer, world.standard, "cancel",
    ))  # fmt: skip
    assert code == 0, err
    assert "cancel" in out

    after = _renewals(world, capsys, "400")
    e3, standard = after[world.e3], after[world.standard]
    assert (e3["outcome"], e3["explicit"]) == ("extended_term", False)
    # Office 365 E3, one seat, annual: 23.00 a month now; monthly term 27.60 + 3 % = 28.43
    assert (e3["monthlyCost"], e3["extendedTermMonthlyCost"], e3["costDifference"]) == (
        "23.00", "28.43", "5.43",
    )  # fmt: skip
    assert (standard["outcome"], standard["explicit"]) == ("ends", True)

    code, out, _ = run(
        capsys, world.args("renewals", "--days", "400", "--customer", world.customer)
    )
    assert code == 0 and "extended term (auto-renew off only)" in out and "ends" in out

    code, _, err = run(capsys, ["sandbox", "advance", "--days", "370", "--home", str(world.home)])
    assert code == 0, err
    code, out, _ = run(capsys, world.args(
        "subscriptions", "list", "--customer", world.customer, "--format", "json",
    ))  # fmt: skip
    by_id = {item["id"]: item for item in json.loads(out)}
    assert by_id[world.standard]["status"] == "expired"
    assert (by_id[world.e3]["status"], by_id[world.e3]["termDuration"]) == ("active", "P1M")
    assert by_id[world.e3]["extendedTerm"]["unitPrice"] == "28.43"


def test_end_of_term_with_next_term_changes_and_a_plan_change(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, world.args(
        "subscriptions", "end-of-term", "--customer", world.customer, world.standard, "renew",
        "--next-quantity", "9", "--format", "json",
    ))  # fmt: skip
    assert code == 0, err
    changed = json.loads(out)["subscription"]
    assert changed["scheduledActions"][0]["instructions"]["quantity"] == 9
    code, _, err = run(capsys, world.args(
        "subscriptions", "change-plan", "--customer", world.customer, world.e3, "--term", "P1M",
    ))  # fmt: skip
    assert code == 1 and "billing_plan.term_not_longer" in err
    code, _, err = run(capsys, world.args(
        "subscriptions", "end-of-term", "--customer", world.customer, world.e3, "cancel",
        "--next-offer", "not-an-offer",
    ))  # fmt: skip
    assert code == 2 and "product:sku:availability" in err
