"""What happens to the sandbox's subscriptions when their term ends (Extended Service Terms).

Partner Center renews at 00:00 UTC the day after term end, from a queue; the sandbox applies a
term end as soon as a customer's subscriptions are next read or changed at or after it (move
the sandbox's clock, or ``POST /sandbox/v1/clock``, to get there). Each subscription does what
its end-of-term choice says (read by :func:`csp_commerce.models.end_of_term.read_end_of_term`,
the one place that knows the wire shape):

* renew: a new term from the old end, with the scheduled next-term changes applied (product,
  term, billing cycle, seats), a fresh refund window, and the scheduled changes cleared;
* extended term (chosen, or auto-renew off with nothing else said, for eligible licence-based
  subscriptions): a monthly term at the monthly-term price +3 % (+23 % without a monthly
  term), month after month until cancelled; ``extendedTerm`` on the subscription carries its
  start and unit price (a sandbox field: Microsoft's is unconfirmed);
* cancel at term end, or not eligible for the extended term: ``expired``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.models.end_of_term import (
    EndOfTermAction,
    TermEndOutcome,
    extended_term_applies,
    extended_term_unit_price,
    outcome_at_term_end,
    read_end_of_term,
)
from csp_commerce.sandbox._http import parse_timestamp, timestamp
from csp_commerce.validation.billing_plan import REFUND_WINDOWS, TERM_MONTHS, kind_of

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from csp_commerce.models.end_of_term import NextTerm
    from csp_commerce.sandbox._http import Context
    from csp_commerce.sandbox.seed_catalog import CatalogItem
    from csp_commerce.sandbox.state import JSON, CustomerState

CYCLE_MONTHS = {"monthly": 1, "annual": 12, "triennial": 36}
_LIVE = frozenset({"active", "suspended"})


def settle(
    ctx: Context, customer: CustomerState, add_months: Callable[[datetime, int], datetime]
) -> None:
    """Apply every term end of the customer's subscriptions up to now."""
    now = ctx.now()
    for subscription in customer.subscriptions.values():
        while subscription["status"] in _LIVE and subscription.get("commitmentEndDate"):
            end = parse_timestamp(subscription["commitmentEndDate"])
            if end > now:
                break
            _term_end(ctx, subscription, end, add_months)


def _term_end(
    ctx: Context,
    subscription: JSON,
    end: datetime,
    add_months: Callable[[datetime, int], datetime],
) -> None:
    kind = kind_of((subscription.get("productType") or {}).get("id"), subscription["termDuration"])
    choice = read_end_of_term(subscription)
    created = parse_timestamp(subscription["creationDate"])
    eligible = extended_term_applies(kind, created, end)
    outcome = outcome_at_term_end(choice, extended_term_applies=eligible)
    item = ctx.catalog.get(subscription["offerId"])
    if outcome is TermEndOutcome.RENEWS and item is not None:
        item = _apply_next_term(ctx, subscription, item, choice.next_term)
        months = TERM_MONTHS[subscription["termDuration"]]
        subscription.pop("extendedTerm", None)
    elif outcome is TermEndOutcome.EXTENDED_TERM and item is not None:
        if "extendedTerm" not in subscription:
            subscription["extendedTerm"] = {
                "startDate": timestamp(end),
                "unitPrice": str(extended_term_price(item, subscription)),
                "currencyCode": "USD",
            }
        subscription["termDuration"] = "P1M"
        subscription["renewalTermDuration"] = "P1M"
        subscription["billingCycle"] = "monthly"
        subscription["autoRenewEnabled"] = False
        months = 1
    else:
        subscription["status"] = "expired"
        subscription["autoRenewEnabled"] = False
        subscription["attributes"]["etag"] = ctx.world.next_etag()
        return
    new_end = add_months(end, months)
    window = REFUND_WINDOWS.get(kind)
    refundable_until = end + window if window is not None else end
    if outcome is TermEndOutcome.EXTENDED_TERM:
        refundable_until = new_end  # cancellable any time, prorated
    subscription["effectiveStartDate"] = timestamp(end)
    subscription["commitmentEndDate"] = timestamp(new_end)
    subscription["billingCycleEndDate"] = timestamp(
        add_months(end, CYCLE_MONTHS.get(subscription["billingCycle"], 1))
    )
    subscription["cancellationAllowedUntilDate"] = timestamp(refundable_until)
    subscription["refundableQuantity"] = {
        "totalQuantity": subscription["quantity"],
        "details": [
            {
                "quantity": subscription["quantity"],
                "allowedUntilDateTime": timestamp(refundable_until),
            }
        ],
    }
    # The scheduled changes were used up by this renewal.
    subscription["scheduledActions"] = None
    subscription["scheduledNextTermInstructions"] = None
    subscription["attributes"]["etag"] = ctx.world.next_etag()


def _apply_next_term(
    ctx: Context, subscription: JSON, item: CatalogItem, next_term: NextTerm | None
) -> CatalogItem:
    if next_term is None:
        return item
    target = find_item(ctx, item, next_term) or item
    subscription["offerId"] = target.catalog_item_id
    subscription["offerName"] = target.title
    subscription["termDuration"] = next_term.term_duration or subscription["termDuration"]
    subscription["renewalTermDuration"] = subscription["termDuration"]
    subscription["billingCycle"] = next_term.billing_cycle or subscription["billingCycle"]
    if next_term.quantity is not None:
        subscription["quantity"] = next_term.quantity
    return target


def find_item(ctx: Context, current: CatalogItem, next_term: NextTerm) -> CatalogItem | None:
    """The catalog item a next term names (its product, SKU and availability; missing parts
    are the current item's); None when the catalog has none."""
    product = next_term.product_id or current.product_id
    sku = next_term.sku_id or current.sku_id
    availability = next_term.availability_id or current.availability_id
    return ctx.catalog.get(f"{product}:{sku}:{availability}")


def extended_term_price(item: CatalogItem, subscription: JSON) -> object:
    """The extended term's unit price per month for a subscription of ``item``."""
    monthly_term = item.monthly_price("P1M", "monthly") if item.supports("P1M", "monthly") else None
    current = item.monthly_price(subscription["termDuration"], subscription["billingCycle"])
    return extended_term_unit_price(monthly_term, current)


def check_end_of_term_choice(
    ctx: Context, item: CatalogItem, subscription: JSON, changes: JSON
) -> str | None:
    """Why the end-of-term fields of a PATCH are refused (None: accepted).

    The choice and ``autoRenewEnabled`` must agree (renewing needs it on, the other two off);
    the extended term exists only for licence-based products; a next term must name a plan
    the catalog sells.
    """
    merged = {**subscription, **changes}
    choice = read_end_of_term(merged)
    if not choice.explicit:
        return None
    auto_renew = merged.get("autoRenewEnabled") is True
    if auto_renew != (choice.action is EndOfTermAction.RENEW):
        return "autoRenewEnabled contradicts the end-of-term action."
    kind = kind_of((subscription.get("productType") or {}).get("id"), subscription["termDuration"])
    if choice.action is EndOfTermAction.EXTENDED_TERM and kind.value != "licence_based":
        return "Extended service terms are not available for this product."
    if choice.next_term is not None:
        target = find_item(ctx, item, choice.next_term)
        term = choice.next_term.term_duration or subscription["termDuration"]
        cycle = choice.next_term.billing_cycle or subscription["billingCycle"]
        if target is None or not target.supports(term, cycle):
            return f"The next term ({term}, {cycle}) is not available for this product."
        quantity = choice.next_term.quantity or subscription["quantity"]
        if quantity < target.min_quantity or quantity > target.max_quantity:
            return f"The next term's quantity {quantity} is out of range."
    return None
