"""The renewals report: what renews, moves to the extended term or ends in the next N days.

Partner Center has no renewals endpoint: the report reads each customer's subscriptions and
judges each term end by its end-of-term choice (:mod:`csp_commerce.models.end_of_term`). A
subscription left with only ``autoRenewEnabled: false`` is shown as moving to the extended
term, with what that costs: the monthly-term rate +3 % (+23 % where the product has no monthly
term), next to what it costs a month now, from the partner's price list (``Decimal``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import Field

from csp_commerce.models._base import Model
from csp_commerce.models.end_of_term import (
    CENT,
    EndOfTermAction,
    NextTerm,
    TermEndOutcome,
    extended_term_applies,
    extended_term_unit_price,
    outcome_at_term_end,
)
from csp_commerce.models.offer import BillingCycle, TermDuration
from csp_commerce.models.wire_time import parse_wire_time
from csp_commerce.operations.subscription_manager import end_of_term_of, product_kind_of

if TYPE_CHECKING:
    from collections.abc import Iterable

    from csp_commerce.models.price import PriceList
    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.provisioning.wire import Subscription

#: Months in one billing period of each cycle (a price entry's unit amount is per period).
_PERIOD_MONTHS = {BillingCycle.MONTHLY: 1, BillingCycle.ANNUAL: 12, BillingCycle.TRIENNIAL: 36}
_LIVE = ("active", "suspended")


class Renewal(Model):
    """One subscription whose term ends inside the report's window.

    Costs are the partner's, per month, in ``currency`` (None when the price list has no
    entry for the subscription): ``monthly_cost`` now, ``extended_term_monthly_cost`` in the
    extended term, and ``cost_difference`` between the two (extended term subscriptions
    only).
    """

    customer_id: str
    subscription_id: str
    offer_id: str | None = None
    offer_name: str | None = None
    quantity: int = 0
    term_end: datetime
    outcome: TermEndOutcome
    action: EndOfTermAction
    explicit: bool = Field(description="False: only autoRenewEnabled=false was set")
    next_term: NextTerm | None = None
    currency: str | None = None
    monthly_cost: Decimal | None = None
    extended_term_unit_price: Decimal | None = None
    extended_term_monthly_cost: Decimal | None = None
    cost_difference: Decimal | None = None


class RenewalsReport(Model):
    """Every term end from ``as_of`` to ``until``, soonest first."""

    as_of: datetime
    until: datetime
    renewals: tuple[Renewal, ...] = ()

    def by_outcome(self, outcome: TermEndOutcome) -> list[Renewal]:
        """The renewals with this outcome."""
        return [renewal for renewal in self.renewals if renewal.outcome is outcome]


def renewal_of(
    customer_id: str, subscription: Subscription, price_list: PriceList | None = None
) -> Renewal | None:
    """The term end of one subscription (None when it has no term end to report)."""
    term_end = parse_wire_time(subscription.commitment_end_date)
    if term_end is None or subscription.status not in _LIVE:
        return None
    choice = end_of_term_of(subscription)
    kind = product_kind_of(subscription)
    purchased = parse_wire_time(subscription.creation_date)
    eligible = extended_term_applies(kind, purchased, term_end)
    outcome = outcome_at_term_end(choice, extended_term_applies=eligible)
    renewal = Renewal(
        customer_id=customer_id,
        subscription_id=subscription.id,
        offer_id=subscription.offer_id,
        offer_name=subscription.offer_name or subscription.friendly_name,
        quantity=subscription.quantity,
        term_end=term_end,
        outcome=outcome,
        action=choice.action,
        explicit=choice.explicit,
        next_term=choice.next_term,
    )
    if price_list is None:
        return renewal
    return renewal.model_copy(update=_costs(subscription, outcome, price_list, customer_id))


def _costs(
    subscription: Subscription, outcome: TermEndOutcome, price_list: PriceList, customer: str
) -> dict[str, object]:
    offer_id = subscription.offer_id
    try:
        cycle = BillingCycle(str(subscription.billing_cycle))
        term = TermDuration(str(subscription.term_duration)) if subscription.term_duration else None
    except ValueError:
        return {}  # a billing plan we cannot price (usage-billed, or a value new to us)
    if offer_id is None or cycle not in _PERIOD_MONTHS:
        return {}
    entry = price_list.find(offer_id, cycle, term, customer)
    if entry is None:
        return {}
    unit_per_month = entry.unit_cost / _PERIOD_MONTHS[cycle]
    monthly_cost = (unit_per_month * subscription.quantity).quantize(CENT)
    costs: dict[str, object] = {"currency": entry.currency, "monthly_cost": monthly_cost}
    if outcome is not TermEndOutcome.EXTENDED_TERM:
        return costs
    monthly_term = price_list.find(offer_id, BillingCycle.MONTHLY, TermDuration.P1M, customer)
    has_monthly_term = monthly_term is not None and monthly_term.term is TermDuration.P1M
    unit = extended_term_unit_price(
        monthly_term.unit_cost if monthly_term is not None and has_monthly_term else None,
        unit_per_month,
    )
    extended = (unit * subscription.quantity).quantize(CENT)
    return {
        **costs,
        "extended_term_unit_price": unit,
        "extended_term_monthly_cost": extended,
        "cost_difference": extended - monthly_cost,
    }


def renewals_report(
    client: PartnerCenterClient,
    *,
    days: int,
    customer_ids: Iterable[str] | None = None,
    price_list: PriceList | None = None,
    now: datetime | None = None,
) -> RenewalsReport:
    """The term ends of the next ``days`` days, for ``customer_ids`` (default: every customer
    of the partner), priced with ``price_list`` when given."""
    if days < 0:
        raise ValueError("days must not be negative")
    as_of = now or datetime.now(timezone.utc)
    until = as_of + timedelta(days=days)
    if customer_ids is None:
        customer_ids = [customer.id for customer in client.customers.list()]
    found: list[Renewal] = []
    for customer_id in customer_ids:
        for subscription in client.subscriptions.list(customer_id):
            renewal = renewal_of(customer_id, subscription, price_list)
            if renewal is not None and as_of <= renewal.term_end <= until:
                found.append(renewal)
    found.sort(key=lambda renewal: (renewal.term_end, renewal.customer_id, renewal.subscription_id))
    return RenewalsReport(as_of=as_of, until=until, renewals=tuple(found))
