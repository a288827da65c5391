"""Reconciliation: Partner Center's invoice line items against what the ledger says was sold.

Lines are matched per subscription and offer (product and SKU). Within one subscription the
charges pair up in date order, exact matches first; every pair that still differs, and every
charge left over on either side, becomes a :class:`Difference`. The invoice bills the partner,
so an invoice line's (effective) unit price is compared with the sale's *unit cost*.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from pydantic import ConfigDict, Field, field_validator

from csp_commerce.models._base import Model
from csp_commerce.money.billing_reports import SaleRecord
from csp_commerce.money.currency import round_money
from csp_commerce.money.report_formats import Money, Row

if TYPE_CHECKING:
    from collections.abc import Iterable


class InvoiceLine(Model):
    """A Partner Center invoice line item (one-time / modern, or legacy licence-based).

    Fields take Partner Center's camelCase names (``customerId``, ``effectiveUnitPrice``);
    the many other fields of a line item are ignored, so a raw item validates as it is.
    """

    model_config = ConfigDict(extra="ignore")

    customer_id: str = ""
    customer_name: str = ""
    subscription_id: str = Field(min_length=1)
    product_id: str = ""
    sku_id: str = ""
    offer_id: str | None = Field(default=None, description="Legacy line items' offerId")
    product_name: str = ""
    quantity: Decimal = Decimal(0)
    billable_quantity: Decimal | None = None
    unit_price: Decimal = Decimal(0)
    effective_unit_price: Decimal | None = None
    subtotal: Decimal = Decimal(0)
    currency: str = Field(min_length=3, max_length=3)
    charge_start_date: dt.date | None = None
    charge_end_date: dt.date | None = None
    charge_type: str = ""

    @field_validator("charge_start_date", "charge_end_date", mode="before")
    @classmethod
    def _date_part(cls, value: object) -> object:
        # Partner Center sends "2024-03-01T00:00:00Z"; the day is what matters here.
        if isinstance(value, str) and "T" in value:
            return value.split("T", 1)[0]
        return value

    @property
    def offer_key(self) -> str:
        """``PRODUCT:SKU`` (modern) or the legacy offer id, upper case."""
        if self.product_id:
            return f"{self.product_id}:{self.sku_id}".upper() if self.sku_id else self.product_id
        return (self.offer_id or "").upper()

    @property
    def billed_unit_price(self) -> Decimal:
        """The unit price after discounts when Partner Center gives one, else the unit price."""
        return (
            self.effective_unit_price if self.effective_unit_price is not None else self.unit_price
        )

    @property
    def signed_quantity(self) -> Decimal:
        """The quantity, negative for a refund (a negative subtotal on a positive quantity).

        Partner Center does not document the sign of refund quantities; we take it from the
        subtotal.
        """
        if self.subtotal < 0 < self.quantity:
            return -self.quantity
        return self.quantity


class DifferenceKind(str, Enum):
    """How the invoice and the ledger disagree about one charge."""

    MISSING_ON_INVOICE = "missing_on_invoice"  # sold, but not billed by Microsoft
    NOT_IN_LEDGER = "not_in_ledger"  # billed by Microsoft, but not sold
    QUANTITY_DIFFERS = "quantity_differs"
    PRICE_DIFFERS = "price_differs"  # unit price (or currency) differs from the unit cost


class Difference(Model):
    """One disagreement between an invoice line and a sale; either may be missing."""

    kind: DifferenceKind
    subscription_id: str
    offer_id: str
    customer: str
    date: dt.date | None
    currency: str
    ledger_quantity: Decimal | None = None
    invoice_quantity: Decimal | None = None
    ledger_unit_cost: Decimal | None = None
    invoice_unit_price: Decimal | None = None
    sale: SaleRecord | None = None
    invoice_line: InvoiceLine | None = None


def reconcile(
    invoice_lines: Iterable[InvoiceLine], sales: Iterable[SaleRecord]
) -> list[Difference]:
    """Every difference between ``invoice_lines`` and ``sales``; empty when they agree."""
    invoiced: dict[tuple[str, str], list[InvoiceLine]] = defaultdict(list)
    for line in invoice_lines:
        invoiced[(line.subscription_id.lower(), line.offer_key)].append(line)
    sold: dict[tuple[str, str], list[SaleRecord]] = defaultdict(list)
    for sale in sales:
        sold[(sale.subscription_id.lower(), _offer_key(sale.offer_id))].append(sale)

    differences: list[Difference] = []
    for key in sorted(invoiced.keys() | sold.keys()):
        lines = sorted(invoiced.get(key, []), key=_line_order)
        records = sorted(sold.get(key, []), key=lambda s: s.date)
        differences += _reconcile_group(lines, records)
    return differences


def _offer_key(offer_id: str) -> str:
    # A catalog item id is PRODUCT:SKU:AVAILABILITY; invoices name the product and SKU.
    return ":".join(offer_id.upper().split(":")[:2])


def _line_order(line: InvoiceLine) -> tuple[dt.date, str]:
    return (line.charge_start_date or dt.date.min, line.charge_type)


def _agrees(line: InvoiceLine, sale: SaleRecord) -> bool:
    return line.signed_quantity == sale.quantity and _price_agrees(line, sale)


def _price_agrees(line: InvoiceLine, sale: SaleRecord) -> bool:
    if line.currency.upper() != sale.currency:
        return False
    return round_money(line.billed_unit_price, sale.currency) == round_money(
        sale.unit_cost, sale.currency
    )


def _reconcile_group(lines: list[InvoiceLine], records: list[SaleRecord]) -> list[Difference]:
    # Exact matches first, so that one odd charge does not shift every pairing after it.
    unmatched_lines: list[InvoiceLine] = []
    remaining = list(records)
    for line in lines:
        match = next((sale for sale in remaining if _agrees(line, sale)), None)
        if match is None:
            unmatched_lines.append(line)
        else:
            remaining.remove(match)
    differences: list[Difference] = []
    for line, sale in zip(unmatched_lines, remaining, strict=False):
        if line.signed_quantity != sale.quantity:
            differences.append(_difference(DifferenceKind.QUANTITY_DIFFERS, line, sale))
        if not _price_agrees(line, sale):
            differences.append(_difference(DifferenceKind.PRICE_DIFFERS, line, sale))
    paired = min(len(unmatched_lines), len(remaining))
    for sale in remaining[paired:]:
        differences.append(_difference(DifferenceKind.MISSING_ON_INVOICE, None, sale))
    for line in unmatched_lines[paired:]:
        differences.append(_difference(DifferenceKind.NOT_IN_LEDGER, line, None))
    return differences


def _difference(
    kind: DifferenceKind, line: InvoiceLine | None, sale: SaleRecord | None
) -> Difference:
    day: dt.date | None
    if sale is not None:
        subscription_id, offer_id = sale.subscription_id, sale.offer_id
        customer, day, currency = sale.customer_reference, sale.date, sale.currency
    else:
        assert line is not None  # a difference has at least one side
        subscription_id, offer_id = line.subscription_id, line.offer_key
        customer = line.customer_name or line.customer_id
        day, currency = line.charge_start_date, line.currency.upper()
    return Difference(
        kind=kind,
        subscription_id=subscription_id,
        offer_id=offer_id,
        customer=customer,
        date=day,
        currency=currency,
        ledger_quantity=Decimal(sale.quantity) if sale is not None else None,
        invoice_quantity=line.signed_quantity if line is not None else None,
        ledger_unit_cost=sale.unit_cost if sale is not None else None,
        invoice_unit_price=line.billed_unit_price if line is not None else None,
        sale=sale,
        invoice_line=line,
    )


class ReconciliationReport(Model):
    """The differences found, renderable as a table, CSV or JSON.

    ``source`` says where the invoice lines came from (reconciliation v2, or v1 for a legacy
    invoice); ``bad_rows`` lists lines that could not be read: a report with bad rows is
    incomplete and never clean.
    """

    differences: tuple[Difference, ...] = ()
    invoice_id: str | None = None
    source: str = ""
    bad_rows: tuple[str, ...] = ()

    @property
    def is_clean(self) -> bool:
        """True when the invoice and the ledger agree and every invoice line was read."""
        return not self.differences and not self.bad_rows

    @property
    def title(self) -> str:
        """E.g. ``Reconciliation of invoice G016907411: 2 differences (reconciliation v2)``."""
        what = f"invoice {self.invoice_id}" if self.invoice_id else "the unbilled charges"
        title = f"Reconciliation of {what}: {len(self.differences)} differences"
        notes = [self.source] if self.source else []
        if self.bad_rows:
            notes.append(f"INCOMPLETE: {len(self.bad_rows)} unreadable line(s)")
        return f"{title} ({'; '.join(notes)})" if notes else title

    @property
    def columns(self) -> tuple[str, ...]:
        """The column headers of the flat (table and CSV) form."""
        return RECONCILIATION_COLUMNS

    def rows(self) -> list[Row]:
        """One row per difference."""
        return [
            Row(
                (
                    d.kind.value,
                    d.customer,
                    d.subscription_id,
                    d.offer_id,
                    d.date,
                    d.currency,
                    d.ledger_quantity,
                    d.invoice_quantity,
                    _money(d.ledger_unit_cost, d.currency),
                    _money(d.invoice_unit_price, d.currency),
                )
            )
            for d in self.differences
        ] + [
            Row(("bad_row", row, None, None, None, None, None, None, None, None))
            for row in self.bad_rows
        ]

    def json_data(self) -> Any:
        """The differences, each with the sale and the invoice line it concerns."""
        return self.model_dump(mode="json", by_alias=True)


RECONCILIATION_COLUMNS: tuple[str, ...] = (
    "difference",
    "customer",
    "subscription",
    "offer",
    "date",
    "currency",
    "ledger quantity",
    "invoice quantity",
    "ledger unit cost",
    "invoice unit price",
)


def _money(amount: Decimal | None, currency: str) -> Money | None:
    return Money(amount, currency) if amount is not None else None
