"""Billing reports and invoice reconciliation built from what was sold.

How subscriptions and a price list become :class:`~csp_commerce.money.SaleRecord` rows for a
period (:func:`sale_for`), mirroring how Partner Center bills new-commerce licences:

* **monthly billing**: one charge in every period the subscription is live (created on or
  before the period's last day), dated the later of its creation day and the period's first
  day; charge type ``new`` in the period it was created, ``cycle_fee`` after.
* **annual / triennial billing**: one charge for the whole billing period, in the period
  containing its creation day (charge type ``new``); nothing in the other periods.
* **cancelled** subscriptions (status ``deleted``) are left out: cancelling inside the window
  refunds them in full. Suspended ones are still billed.
* **quantity**: the subscription's quantity as Partner Center reports it now.
* **unit cost / unit price**: the price list entry for the offer, billing cycle and term (the
  customer's own entry first); the price with the markup that applies (customer's, reseller's,
  default; none: the list price). Unit amounts are per billing period.
* **customer reference**: the host's reference from the ledger's placed orders (tenant id →
  reference), else the tenant id; the customer name is the tenant's company name.
* **reseller**: the subscription's ``partnerId`` (the indirect reseller's MPN id), if any.
* A subscription without a price entry is listed in :attr:`SalesCollection.unpriced`, never
  guessed.

Proration of mid-cycle quantity changes is not modelled (neither does the sandbox's invoice
run); reconciliation reports such charges as differences to look at.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from csp_commerce.errors import InputError
from csp_commerce.models._base import Model
from csp_commerce.models.offer import BillingCycle, TermDuration
from csp_commerce.money.billing_reports import BillingReport, SaleRecord
from csp_commerce.money.pricing import select_markup, unit_price
from csp_commerce.money.reconciliation import ReconciliationReport, reconcile
from csp_commerce.operations.invoice_lines import billed_lines, unbilled_lines
from csp_commerce.store.ledger import OrderStatus

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from csp_commerce.models.price import Markup, PriceList
    from csp_commerce.money.billing_cycles import BillingCycleCalendar
    from csp_commerce.operations.invoice_lines import EtagMemory
    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.provisioning.wire import Subscription
    from csp_commerce.store.ledger import Ledger

#: Invoice line-item providers read for a reconciliation (modern licence-based lines).
DEFAULT_PROVIDERS: tuple[str, ...] = ("onetime",)


class SalesCollection(Model):
    """The sale records of a period, and the subscriptions the price list could not price."""

    start: dt.date
    end: dt.date
    records: tuple[SaleRecord, ...] = ()
    unpriced: tuple[str, ...] = ()


def customer_references(ledger: Ledger) -> dict[str, str]:
    """Tenant id → the host's customer reference, from the ledger's placed orders."""
    references: dict[str, str] = {}
    for record in ledger.orders(OrderStatus.PLACED):
        tenant = (record.outcome or {}).get("customer_tenant_id")
        if tenant:
            references[str(tenant)] = record.customer_ref
    return references


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()


def sale_for(
    subscription: Subscription,
    start: dt.date,
    end: dt.date,
    price_list: PriceList,
    markups: Sequence[Markup] = (),
    *,
    customer_reference: str,
    customer_name: str = "",
) -> SaleRecord | None:
    """The charge of ``subscription`` in ``start..end`` (None: nothing billed then).

    Raises :class:`LookupError` when the price list has no entry for it.
    """
    created = _day(subscription.creation_date)
    if created is None or created > end or subscription.status == "deleted":
        return None
    if not subscription.offer_id or not subscription.billing_cycle:
        return None
    try:
        cycle = BillingCycle(str(subscription.billing_cycle))
    except ValueError:
        return None  # usage-billed (``none``) or a cycle new to us: no licence charge to price
    first_period = start <= created <= end
    if cycle is not BillingCycle.MONTHLY and not first_period:
        return None
    try:
        term = TermDuration(str(subscription.term_duration)) if subscription.term_duration else None
    except ValueError:
        term = None  # a term new to us: the cycle's entry for any term
    entry = price_list.find(subscription.offer_id, cycle, term, customer_reference)
    if entry is None:
        raise LookupError(subscription.id)
    reseller = subscription.partner_id or None
    markup = select_markup(markups, customer_reference, reseller)
    return SaleRecord(
        date=max(created, start),
        customer_reference=customer_reference,
        customer_name=customer_name[:200],
        subscription_id=subscription.id,
        offer_id=subscription.offer_id,
        offer_name=(subscription.offer_name or subscription.friendly_name or "")[:200],
        quantity=subscription.quantity,
        unit_cost=entry.unit_cost,
        unit_price=unit_price(entry, markup),
        currency=entry.currency,
        reseller_id=reseller,
        charge_type="new" if first_period else "cycle_fee",
    )


def sales_records(
    client: PartnerCenterClient,
    price_list: PriceList,
    start: dt.date,
    end: dt.date,
    *,
    markups: Sequence[Markup] = (),
    references: Mapping[str, str] | None = None,
    customer_ids: Iterable[str] | None = None,
) -> SalesCollection:
    """What was sold in ``start..end``: every customer's subscriptions (or those of
    ``customer_ids``) mapped to sale records as this module describes."""
    references = references or {}
    names: dict[str, str] = {}
    if customer_ids is None:
        ids = []
        for customer in client.customers.list():
            ids.append(customer.id)
            profile = customer.company_profile
            names[customer.id] = (profile.company_name or "") if profile else ""
    else:
        ids = list(customer_ids)
    records: list[SaleRecord] = []
    unpriced: list[str] = []
    for customer_id in ids:
        reference = references.get(customer_id, customer_id)
        for subscription in client.subscriptions.list(customer_id):
            try:
                record = sale_for(
                    subscription,
                    start,
                    end,
                    price_list,
                    markups,
                    customer_reference=reference,
                    customer_name=names.get(customer_id, ""),
                )
            except LookupError:
                unpriced.append(subscription.id)
                continue
            if record is not None:
                records.append(record)
    return SalesCollection(start=start, end=end, records=tuple(records), unpriced=tuple(unpriced))


def billing_report(
    client: PartnerCenterClient,
    price_list: PriceList,
    calendar: BillingCycleCalendar,
    report_date: dt.date,
    *,
    markups: Sequence[Markup] = (),
    references: Mapping[str, str] | None = None,
    customer_ids: Iterable[str] | None = None,
) -> tuple[BillingReport, SalesCollection]:
    """The billing report dated ``report_date``: the last cycle complete before it (with
    ``end_day=15``, a report dated 16 March covers 16 February - 15 March)."""
    period = calendar.previous_cycle(report_date)
    sales = sales_records(
        client,
        price_list,
        period.start,
        period.end,
        markups=markups,
        references=references,
        customer_ids=customer_ids,
    )
    report = BillingReport.build(sales.records, period, calendar.report_date(period))
    return report, sales


def reconcile_invoice(
    client: PartnerCenterClient,
    invoice_id: str,
    price_list: PriceList,
    *,
    markups: Sequence[Markup] = (),
    references: Mapping[str, str] | None = None,
    providers: Sequence[str] = DEFAULT_PROVIDERS,
    memory: EtagMemory | None = None,
    use_v1: bool = False,
) -> tuple[ReconciliationReport, SalesCollection]:
    """Partner Center's line items of ``invoice_id`` against the sales of its billing period;
    every difference is listed (an empty report: they agree).

    The lines come from reconciliation v2, or v1 for a legacy invoice (the report's ``source``
    says which; ``use_v1`` forces v1, for periods before the cut-over)."""
    invoice = client.invoices.get(invoice_id)
    start = _day(invoice.billing_period_start_date)
    end = _day(invoice.billing_period_end_date)
    if start is None or end is None:
        raise InputError(f"invoice {invoice_id} has no billing period to reconcile")
    read = billed_lines(client, invoice_id, memory=memory, use_v1=use_v1, providers=providers)
    sales = sales_records(client, price_list, start, end, markups=markups, references=references)
    differences = reconcile(read.lines, sales.records)
    report = ReconciliationReport(
        differences=tuple(differences),
        invoice_id=invoice.id,
        source=read.source,
        bad_rows=read.bad_rows,
    )
    return report, sales


def reconcile_unbilled(
    client: PartnerCenterClient,
    price_list: PriceList,
    *,
    today: dt.date | None = None,
    currency_code: str = "USD",
    markups: Sequence[Markup] = (),
    references: Mapping[str, str] | None = None,
    memory: EtagMemory | None = None,
) -> tuple[ReconciliationReport, SalesCollection]:
    """The current period's charges not invoiced yet (reconciliation v2's unbilled export)
    against the sales of the calendar month containing ``today`` (default: today, UTC)."""
    day = today or dt.datetime.now(dt.timezone.utc).date()
    start = day.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    read = unbilled_lines(client, currency_code=currency_code, memory=memory)
    sales = sales_records(client, price_list, start, end, markups=markups, references=references)
    differences = reconcile(read.lines, sales.records)
    report = ReconciliationReport(
        differences=tuple(differences), source=read.source + " (unbilled)", bad_rows=read.bad_rows
    )
    return report, sales
