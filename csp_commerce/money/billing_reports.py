"""Billing reports: what was sold in one billing cycle, per customer and subscription.

Built from :class:`SaleRecord` rows (the ledger's or the host's own sales). Amounts of different
currencies are never added: every subtotal and total is a list of per-currency totals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import Field

from csp_commerce.models._base import Model
from csp_commerce.money.billing_cycles import BillingCycleCalendar, BillingPeriod
from csp_commerce.money.currency import round_money
from csp_commerce.money.report_formats import Money, Row

if TYPE_CHECKING:
    from collections.abc import Iterable

_CURRENCY = r"^[A-Z]{3}$"


class SaleRecord(Model):
    """One charge sold to a customer: a cycle fee, a pro-rata charge or a refund.

    ``unit_cost`` is what the partner pays Microsoft per unit, ``unit_price`` what the customer
    pays; a refund has a negative ``quantity``.
    """

    date: dt.date
    customer_reference: str = Field(min_length=1, max_length=200)
    customer_name: str = Field(default="", max_length=200)
    subscription_id: str = Field(min_length=1, max_length=64)
    offer_id: str = Field(min_length=1, max_length=200)
    offer_name: str = Field(default="", max_length=200)
    quantity: int
    unit_cost: Decimal
    unit_price: Decimal
    currency: str = Field(pattern=_CURRENCY)
    reseller_id: str | None = Field(default=None, max_length=32)
    charge_type: str = Field(default="cycle_fee", max_length=64)

    @property
    def cost(self) -> Decimal:
        """``quantity × unit_cost``, rounded to the currency."""
        return round_money(self.unit_cost * self.quantity, self.currency)

    @property
    def price(self) -> Decimal:
        """``quantity × unit_price``, rounded to the currency."""
        return round_money(self.unit_price * self.quantity, self.currency)


class Totals(Model):
    """The cost, sale price and margin of some records, in one currency."""

    currency: str
    cost: Decimal
    price: Decimal

    @property
    def margin(self) -> Decimal:
        """Sale price minus cost."""
        return self.price - self.cost


def totals_of(records: Iterable[SaleRecord]) -> tuple[Totals, ...]:
    """Per-currency totals of ``records``, sorted by currency code."""
    cost: dict[str, Decimal] = defaultdict(Decimal)
    price: dict[str, Decimal] = defaultdict(Decimal)
    for record in records:
        cost[record.currency] += record.cost
        price[record.currency] += record.price
    return tuple(
        Totals(currency=currency, cost=cost[currency], price=price[currency])
        for currency in sorted(cost)
    )


class SubscriptionGroup(Model):
    """One subscription's charges in the cycle, by date, and their subtotals."""

    subscription_id: str
    offer_id: str
    offer_name: str
    lines: tuple[SaleRecord, ...]
    totals: tuple[Totals, ...]


class CustomerGroup(Model):
    """One customer's subscriptions in the cycle, and their subtotals."""

    customer_reference: str
    customer_name: str
    subscriptions: tuple[SubscriptionGroup, ...]
    totals: tuple[Totals, ...]


class BillingReport(Model):
    """The billing report of one cycle: customers, their subscriptions, each charge; totals."""

    period: BillingPeriod
    report_date: dt.date
    customers: tuple[CustomerGroup, ...]
    totals: tuple[Totals, ...]

    @classmethod
    def build(
        cls,
        records: Iterable[SaleRecord],
        period: BillingPeriod,
        report_date: dt.date | None = None,
    ) -> BillingReport:
        """The report of ``period`` from ``records``; records dated outside it are left out.

        ``report_date`` defaults to the day after the period ends.
        """
        inside = [record for record in records if record.date in period]
        by_customer: dict[str, list[SaleRecord]] = defaultdict(list)
        for record in inside:
            by_customer[record.customer_reference].append(record)
        customers = tuple(
            _customer_group(reference, by_customer[reference]) for reference in sorted(by_customer)
        )
        return cls(
            period=period,
            report_date=report_date or period.end + dt.timedelta(days=1),
            customers=customers,
            totals=totals_of(inside),
        )

    # -- rendering (see csp_commerce.money.report_formats) -----------------------------------------

    @property
    def title(self) -> str:
        """E.g. ``Billing report 2024-03-16 (2024-02-16..2024-03-15)``."""
        return f"Billing report {self.report_date.isoformat()} ({self.period})"

    @property
    def columns(self) -> tuple[str, ...]:
        """The column headers of the flat (table and CSV) form."""
        return REPORT_COLUMNS

    def rows(self) -> list[Row]:
        """Each charge, then its subscription's, its customer's and the grand totals."""
        rows: list[Row] = []
        for customer in self.customers:
            for sub in customer.subscriptions:
                for line in sub.lines:
                    rows.append(
                        Row(
                            (
                                "line",
                                line.date,
                                customer.customer_reference,
                                customer.customer_name,
                                sub.subscription_id,
                                sub.offer_name or sub.offer_id,
                                line.charge_type,
                                line.quantity,
                                line.currency,
                                Money(line.unit_cost, line.currency),
                                Money(line.unit_price, line.currency),
                                Money(line.cost, line.currency),
                                Money(line.price, line.currency),
                                Money(line.price - line.cost, line.currency),
                            )
                        )
                    )
                rows += _total_rows("subscription", sub.totals, customer, sub.subscription_id)
            rows += _total_rows("customer", customer.totals, customer, None)
        rows += _total_rows("total", self.totals, None, None)
        return rows

    def json_data(self) -> Any:
        """The nested report; amounts as exact decimal strings."""
        return self.model_dump(mode="json", by_alias=True)


REPORT_COLUMNS: tuple[str, ...] = (
    "level",
    "date",
    "customer reference",
    "customer name",
    "subscription",
    "offer",
    "charge",
    "quantity",
    "currency",
    "unit cost",
    "unit price",
    "cost",
    "price",
    "margin",
)


def build_reports(
    records: Iterable[SaleRecord],
    calendar: BillingCycleCalendar,
    first: dt.date,
    last: dt.date,
) -> list[BillingReport]:
    """One report per cycle whose report is dated between ``first`` and ``last``, in order."""
    kept = list(records)
    return [
        BillingReport.build(kept, cycle, calendar.report_date(cycle))
        for cycle in calendar.cycles_reported_between(first, last)
    ]


def _customer_group(reference: str, records: list[SaleRecord]) -> CustomerGroup:
    by_subscription: dict[str, list[SaleRecord]] = defaultdict(list)
    for record in records:
        by_subscription[record.subscription_id].append(record)
    subscriptions = []
    for subscription_id in sorted(by_subscription):
        lines = sorted(by_subscription[subscription_id], key=lambda r: (r.date, r.charge_type))
        subscriptions.append(
            SubscriptionGroup(
                subscription_id=subscription_id,
                offer_id=lines[0].offer_id,
                offer_name=lines[0].offer_name,
                lines=tuple(lines),
                totals=totals_of(lines),
            )
        )
    name = next((r.customer_name for r in records if r.customer_name), "")
    return CustomerGroup(
        customer_reference=reference,
        customer_name=name,
        subscriptions=tuple(subscriptions),
        totals=totals_of(records),
    )


def _total_rows(
    level: str,
    totals: tuple[Totals, ...],
    customer: CustomerGroup | None,
    subscription_id: str | None,
) -> list[Row]:
    return [
        Row(
            (
                level,
                None,
                customer.customer_reference if customer else None,
                customer.customer_name if customer else None,
                subscription_id,
                None,
                None,
                None,
                total.currency,
                None,
                None,
                Money(total.cost, total.currency),
                Money(total.price, total.currency),
                Money(total.margin, total.currency),
            ),
            emphasis=True,
        )
        for total in totals
    ]
