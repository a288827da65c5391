from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from csp_commerce.money import (
    DifferenceKind,
    InvoiceLine,
    ReconciliationReport,
    SaleRecord,
    reconcile,
)

D = Decimal


def sale(**changes: object) -> SaleRecord:
    values: dict[str, object] = {
        "date": date(2024, 3, 1),
        "customer_reference": "c1",
        "subscription_id": "a0b1c2d3-0000-0000-0000-000000000001",
        "offer_id": "CFQ7TTC0LH18:0001:CFQ7TTC0LGT8",
        "quantity": 3,
        "unit_cost": D("10.00"),
        "unit_price": D("12.50"),
        "currency": "EUR",
    }
    values.update(changes)
    return SaleRecord.model_validate(values)


def invoice_line(**changes: Any) -> InvoiceLine:
    # As Partner Center sends a one-time line item: camelCase, with fields we do not use.
    raw: dict[str, Any] = {
        "partnerId": "p",
        "customerId": "tenant-1",
        "customerName": "Contoso",
        "customerDomainName": "contoso.onmicrosoft.com",
        "subscriptionId": "A0B1C2D3-0000-0000-0000-000000000001",
        "productId": "CFQ7TTC0LH18",
        "skuId": "0001",
        "chargeType": "new",
        "unitPrice": 10.0,
        "effectiveUnitPrice": 10.0,
        "quantity": 3,
        "billableQuantity": 3,
        "subtotal": 30.0,
        "currency": "EUR",
        "chargeStartDate": "2024-03-01T00:00:00Z",
        "chargeEndDate": "2024-03-31T00:00:00Z",
    }
    raw.update(changes)
    return InvoiceLine.model_validate(raw)


def kinds(lines: list[InvoiceLine], sales: list[SaleRecord]) -> list[DifferenceKind]:
    return [d.kind for d in reconcile(lines, sales)]


def test_partner_center_names_map_in() -> None:
    line = invoice_line()
    assert line.customer_id == "tenant-1"
    assert line.charge_start_date == date(2024, 3, 1)
    assert line.offer_key == "CFQ7TTC0LH18:0001"


def test_agreeing_invoice_and_ledger_have_no_differences() -> None:
    assert reconcile([invoice_line()], [sale()]) == []


def test_a_sale_missing_on_the_invoice() -> None:
    differences = reconcile([], [sale()])
    assert [d.kind for d in differences] == [DifferenceKind.MISSING_ON_INVOICE]
    assert differences[0].ledger_quantity == 3
    assert differences[0].invoice_line is None


def test_an_invoice_line_not_in_the_ledger() -> None:
    differences = reconcile([invoice_line()], [])
    assert [d.kind for d in differences] == [DifferenceKind.NOT_IN_LEDGER]
    assert differences[0].customer == "Contoso"


def test_quantity_differs() -> None:
    assert kinds([invoice_line(quantity=4, subtotal=40.0)], [sale()]) == [
        DifferenceKind.QUANTITY_DIFFERS
    ]


def test_price_differs_uses_the_effective_unit_price_against_the_unit_cost() -> None:
    assert kinds([invoice_line(effectiveUnitPrice=9.5)], [sale()]) == [DifferenceKind.PRICE_DIFFERS]
    assert kinds([invoice_line(unitPrice=12.0)], [sale()]) == []


def test_a_different_currency_is_a_price_difference() -> None:
    assert kinds([invoice_line(currency="USD")], [sale()]) == [DifferenceKind.PRICE_DIFFERS]


def test_both_quantity_and_price_differences_are_listed() -> None:
    assert kinds([invoice_line(quantity=5, effectiveUnitPrice=9.0)], [sale()]) == [
        DifferenceKind.QUANTITY_DIFFERS,
        DifferenceKind.PRICE_DIFFERS,
    ]


def test_exact_matches_pair_first_so_one_odd_charge_does_not_shift_the_others() -> None:
    lines = [
        invoice_line(quantity=1, subtotal=10.0, chargeStartDate="2024-02-20T00:00:00Z"),
        invoice_line(),
    ]
    sales = [sale()]
    assert kinds(lines, sales) == [DifferenceKind.NOT_IN_LEDGER]


def test_a_refund_is_negative_on_both_sides() -> None:
    refund = invoice_line(chargeType="cancel", quantity=1, subtotal=-10.0)
    assert reconcile([refund], [sale(quantity=-1, charge_type="refund")]) == []


def test_another_offer_on_the_same_subscription_does_not_match() -> None:
    assert sorted(kinds([invoice_line(skuId="0002")], [sale()])) == [
        DifferenceKind.MISSING_ON_INVOICE,
        DifferenceKind.NOT_IN_LEDGER,
    ]


def test_the_report_lists_every_difference() -> None:
    report = ReconciliationReport(
        differences=tuple(
            reconcile([invoice_line(quantity=4)], [sale(), sale(subscription_id="x")])
        ),
        invoice_id="G016907411",
    )
    assert not report.is_clean
    assert [row.cells[0] for row in report.rows()] == ["quantity_differs", "missing_on_invoice"]
    assert report.title == "Reconciliation of invoice G016907411: 2 differences"
