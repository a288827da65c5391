from __future__ import annotations

from datetime import date
from decimal import Decimal

from csp_commerce.money import (
    BillingCycleCalendar,
    BillingPeriod,
    BillingReport,
    SaleRecord,
    build_reports,
)

D = Decimal
MARCH = BillingPeriod(start=date(2024, 2, 16), end=date(2024, 3, 15))


def sale(**changes: object) -> SaleRecord:
    values: dict[str, object] = {
        "date": date(2024, 3, 1),
        "customer_reference": "c1",
        "customer_name": "Contoso",
        "subscription_id": "s1",
        "offer_id": "CFQ7TTC0LH18:0001",
        "offer_name": "Business Basic",
        "quantity": 3,
        "unit_cost": D("10.00"),
        "unit_price": D("12.50"),
        "currency": "EUR",
    }
    values.update(changes)
    return SaleRecord.model_validate(values)


def test_records_are_grouped_by_customer_then_subscription_with_subtotals() -> None:
    records = [
        sale(),
        sale(date=date(2024, 2, 20), charge_type="prorate", quantity=1),
        sale(subscription_id="s2", quantity=2, unit_cost=D("5.00"), unit_price=D("6.00")),
        sale(customer_reference="c0", customer_name="Adatum", quantity=1),
    ]
    report = BillingReport.build(records, MARCH)
    assert [c.customer_reference for c in report.customers] == ["c0", "c1"]
    contoso = report.customers[1]
    assert [s.subscription_id for s in contoso.subscriptions] == ["s1", "s2"]
    s1 = contoso.subscriptions[0]
    assert [line.date for line in s1.lines] == [date(2024, 2, 20), date(2024, 3, 1)]
    assert (s1.totals[0].cost, s1.totals[0].price) == (D("40.00"), D("50.00"))
    assert (contoso.totals[0].cost, contoso.totals[0].price) == (D("50.00"), D("62.00"))
    assert (report.totals[0].cost, report.totals[0].price, report.totals[0].margin) == (
        D("60.00"),
        D("74.50"),
        D("14.50"),
    )


def test_refunds_reduce_the_totals() -> None:
    report = BillingReport.build([sale(), sale(quantity=-1, charge_type="refund")], MARCH)
    assert report.totals[0].price == D("25.00")


def test_different_currencies_are_never_added() -> None:
    records = [sale(), sale(subscription_id="s2", currency="USD", unit_price=D("20.00"))]
    report = BillingReport.build(records, MARCH)
    assert [(t.currency, t.price) for t in report.totals] == [
        ("EUR", D("37.50")),
        ("USD", D("60.00")),
    ]
    assert len(report.customers[0].totals) == 2


def test_records_outside_the_cycle_are_left_out_and_the_report_is_dated_after_it() -> None:
    records = [sale(), sale(date=date(2024, 3, 16)), sale(date=date(2024, 2, 15))]
    report = BillingReport.build(records, MARCH)
    assert sum(len(s.lines) for c in report.customers for s in c.subscriptions) == 1
    assert report.report_date == date(2024, 3, 16)


def test_a_date_range_gives_one_report_per_cycle() -> None:
    records = [sale(date=date(2024, 1, 20)), sale(date=date(2024, 2, 20)), sale()]
    reports = build_reports(records, BillingCycleCalendar(15), date(2024, 2, 1), date(2024, 3, 31))
    assert [r.report_date for r in reports] == [date(2024, 2, 16), date(2024, 3, 16)]
    assert [r.totals[0].price for r in reports] == [D("37.50"), D("75.00")]


def test_amounts_are_rounded_per_currency() -> None:
    record = sale(currency="JPY", quantity=3, unit_cost=D("333.3"), unit_price=D("400.5"))
    assert (record.cost, record.price) == (D("1000"), D("1202"))
