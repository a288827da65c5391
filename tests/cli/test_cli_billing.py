"""``csp-commerce billing``: a report grouped by customer and subscription, and the
reconciliation of a sandbox invoice that is then perturbed line by line."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from test_cli_subscriptions import STANDARD, Seeded, run, seed

from csp_commerce.cli._env import Environment
from csp_commerce.money import BillingCycleCalendar


@pytest.fixture
def world(tmp_path: Path) -> Seeded:
    return seed(tmp_path / "home")


def report_date() -> str:
    calendar = BillingCycleCalendar(15)
    cycle = calendar.cycle_containing(datetime.now(timezone.utc).date())
    return calendar.report_date(cycle).isoformat()


def test_report_groups_by_customer_and_subscription(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, world.args(
        "billing", "report", "--price-list", str(world.prices), "--cycle-end-day", "15",
        "--date", report_date(), "--format", "json",
    ))  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    (customer,) = report["customers"]
    assert customer["customerName"] == "Fabrikam"
    groups = {group["subscriptionId"]: group for group in customer["subscriptions"]}
    assert set(groups) == {world.standard, world.e3}
    standard = groups[world.standard]["lines"]
    assert [(line["quantity"], line["chargeType"]) for line in standard] == [(5, "new")]
    e3 = groups[world.e3]["lines"]
    assert Decimal(e3[0]["unitCost"]) == Decimal("23.00") * 12  # annual billing, whole year
    total = Decimal(customer["totals"][0]["price"])
    assert total == sum(Decimal(g["totals"][0]["price"]) for g in groups.values())


def test_report_csv_has_line_subscription_customer_and_total_rows(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, world.args(
        "billing", "report", "--price-list", str(world.prices), "--date", report_date(),
        "--format", "csv",
    ))  # fmt: skip
    assert code == 0
    levels = [row["level"] for row in csv.DictReader(io.StringIO(out))]
    assert levels == ["line", "subscription", "line", "subscription", "customer", "total"]


def test_report_table_formats_money_per_locale(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, world.args(
        "billing", "report", "--price-list", str(world.prices), "--date", report_date(),
        "--locale", "de_DE",
    ))  # fmt: skip
    assert code == 0
    assert STANDARD in out
    assert "\xa0$" in out  # de_DE writes "65,65 $"


def generate_invoice(world: Seeded, capsys: pytest.CaptureFixture[str]) -> str:
    now = datetime.now(timezone.utc)
    code, out, _ = run(
        capsys, world.args("billing", "invoices", "--generate", f"{now.year}-{now.month:02d}")
    )
    assert code == 0
    with Environment(world.home) as env:
        invoice = list(env.sandbox.world.invoices)[-1]
    assert invoice in out
    return invoice


def test_reconcile_a_faithful_invoice_is_clean(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    invoice = generate_invoice(world, capsys)
    code, out, err = run(capsys, world.args(
        "billing", "reconcile", "--invoice", invoice, "--price-list", str(world.prices),
    ))  # fmt: skip
    assert code == 0, out + err
    assert "0 differences" in out


def test_reconcile_lists_every_difference_of_a_perturbed_invoice(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    invoice = generate_invoice(world, capsys)
    with Environment(world.home) as env:
        lines = env.sandbox.world.invoice_lines[invoice]
        by_subscription = {line["subscriptionId"]: line for line in lines}
        by_subscription[world.standard]["quantity"] = 7  # billed for 7 seats, 5 sold
        by_subscription[world.e3]["unitPrice"] = 999.0  # billed at another price
        by_subscription[world.e3]["effectiveUnitPrice"] = 999.0
        stray = {**by_subscription[world.standard], "subscriptionId": "not-sold-by-us"}
        lines.append(stray)  # billed, never sold
    code, out, _ = run(capsys, world.args(
        "billing", "reconcile", "--invoice", invoice, "--price-list", str(world.prices),
        "--format", "json",
    ))  # fmt: skip
    assert code == 1
    found = {(d["kind"], d["subscriptionId"]) for d in json.loads(out)["differences"]}
    assert found == {
        ("quantity_differs", world.standard),
        ("price_differs", world.e3),
        ("not_in_ledger", "not-sold-by-us"),
    }


def test_reconcile_reports_a_sale_missing_on_the_invoice(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    invoice = generate_invoice(world, capsys)
    with Environment(world.home) as env:
        lines = env.sandbox.world.invoice_lines[invoice]
        lines[:] = [line for line in lines if line["subscriptionId"] != world.e3]
    code, out, _ = run(capsys, world.args(
        "billing", "reconcile", "--invoice", invoice, "--price-list", str(world.prices),
    ))  # fmt: skip
    assert code == 1
    assert "missing_on_invoice" in out
    assert world.e3 in out


def test_reconcile_unknown_invoice_exits_2(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, world.args(
        "billing", "reconcile", "--invoice", "G999", "--price-list", str(world.prices)
    ))  # fmt: skip
    assert code == 2
    assert "Traceback" not in err


def test_reconcile_shows_where_the_lines_came_from(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    invoice = generate_invoice(world, capsys)
    code, out, err = run(capsys, world.args(
        "billing", "reconcile", "--invoice", invoice, "--price-list", str(world.prices),
    ))  # fmt: skip
    assert code == 0 and "reconciliation v2" in out and "reconciliation v2" in err


def test_reconcile_unbilled_reads_the_current_period_from_v2(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, world.args(
        "billing", "reconcile", "--unbilled", "--price-list", str(world.prices),
        "--format", "json",
    ))  # fmt: skip
    assert code == 0, out + err
    report = json.loads(out)
    assert report["source"] == "reconciliation v2 (unbilled)" and report["differences"] == []
    code, _, err = run(capsys, world.args(
        "billing", "reconcile", "--unbilled", "--api", "v1", "--price-list", str(world.prices),
    ))  # fmt: skip
    assert code == 2 and "retired" in err


def test_reconcile_with_an_unreadable_line_is_incomplete_not_clean(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    invoice = generate_invoice(world, capsys)
    with Environment(world.home) as env:
        env.sandbox.world.invoice_lines[invoice][0]["quantity"] = "seven"
    code, out, err = run(capsys, world.args(
        "billing", "reconcile", "--invoice", invoice, "--price-list", str(world.prices),
    ))  # fmt: skip
    assert code == 1
    assert "INCOMPLETE" in out and "bad_row" in out and "unreadable invoice line" in err
