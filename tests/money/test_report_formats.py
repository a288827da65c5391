from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from babel.numbers import format_currency

from csp_commerce.money import (
    BillingPeriod,
    BillingReport,
    ReconciliationReport,
    SaleRecord,
    reconcile,
    render,
    to_csv,
)

D = Decimal
MARCH = BillingPeriod(start=date(2024, 2, 16), end=date(2024, 3, 15))
RECORD = SaleRecord(
    date=date(2024, 3, 1),
    customer_reference="c1",
    customer_name="Contoso",
    subscription_id="s1",
    offer_id="P:1",
    offer_name="Business Basic",
    quantity=3,
    unit_cost=D("10.00"),
    unit_price=D("12.50"),
    currency="EUR",
)
REPORT = BillingReport.build([RECORD], MARCH)


def test_csv_has_plain_amounts_and_every_level() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(REPORT))))
    assert [row["level"] for row in rows] == ["line", "subscription", "customer", "total"]
    assert rows[0]["date"] == "2024-03-01"
    assert (rows[-1]["cost"], rows[-1]["price"], rows[-1]["margin"]) == ("30.00", "37.50", "7.50")


def test_csv_is_also_written_to_a_stream() -> None:
    stream = io.StringIO()
    assert to_csv(REPORT, stream) == stream.getvalue()


def test_json_keeps_the_nesting_and_exact_amounts() -> None:
    data = json.loads(render(REPORT, "json"))
    assert data["reportDate"] == "2024-03-16"
    assert data["customers"][0]["subscriptions"][0]["totals"][0]["price"] == "37.50"


def test_table_formats_money_per_locale_without_cutting_cells() -> None:
    table = render(REPORT, "table", locale="de_DE")
    assert format_currency(D("37.50"), "EUR", locale="de_DE") in table
    assert "Business Basic" in table and "subscription" in table
    assert "…" not in table
    assert "37.50" in render(REPORT, "table")


def test_the_same_renderer_serves_the_reconciliation() -> None:
    report = ReconciliationReport(differences=tuple(reconcile([], [RECORD])))
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert rows[0]["difference"] == "missing_on_invoice"
    assert json.loads(render(report, "json"))["differences"][0]["kind"] == "missing_on_invoice"
    assert "missing_on_invoice" in render(report, "table")


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        render(REPORT, "xml")  # type: ignore[arg-type]


def test_csv_guards_text_a_spreadsheet_would_run_but_keeps_negative_amounts() -> None:
    refund = RECORD.model_copy(
        update={"customer_name": '=HYPERLINK("http://x")', "quantity": -3, "offer_name": "@SUM"}
    )
    rows = list(csv.DictReader(io.StringIO(to_csv(BillingReport.build([refund], MARCH)))))
    assert rows[0]["customer name"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["offer"] == "'@SUM"
    assert rows[0]["cost"] == "-30.00"  # an amount, not text: never quoted
