"""New-commerce billing-plan rules (2025-26), as pure functions returning Problems.

* mid-term, a subscription's term may only change to a longer one;
* since 1 April 2025 the billing frequency of a three-year (triennial) term cannot change
  mid-term (only scheduled for the renewal);
* three-year SKUs that say so need at least their minimum seats (100 for the Microsoft 365
  E3/E5 SKUs without Teams) and cannot be billed monthly;
* software subscriptions can never reduce seats;
* refund (cancellation) windows depend on the product kind: 168 h licence-based and software
  subscriptions, 72 h marketplace SaaS, 30 days perpetual software; the child of a partial
  upgrade inherits its parent's window.

The checkout calls these from built-in plugins; the subscription manager before it sends a
change; the sandbox enforces the same rules with Partner Center's errors.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from csp_commerce.models.catalogue.billing_plan_codes import (
    PLAN_NOT_OFFERED,
    REFUND_WINDOW_CLOSED,
    SOFTWARE_NO_REDUCTION,
    TERM_NOT_LONGER,
    THREE_YEAR_MINIMUM,
    THREE_YEAR_NO_MONTHLY,
    TRIENNIAL_FREQUENCY_LOCKED,
)
from csp_commerce.models.offer import PRODUCT_TYPES, ProductKind, kind_of

if TYPE_CHECKING:
    from collections.abc import Collection

    from csp_commerce.models.offer import Offer
    from csp_commerce.models.problem import Problem

__all__ = ["PRODUCT_TYPES", "kind_of"]  # re-exported: the sandbox and the managers use them here

#: Months in each term Partner Center sells.
TERM_MONTHS = {"P1M": 1, "P1Y": 12, "P3Y": 36}
THREE_YEARS = "P3Y"

#: The refund window after a purchase (or renewal) by product kind; Azure has none.
REFUND_WINDOWS: dict[ProductKind, timedelta] = {
    ProductKind.LICENCE_BASED: timedelta(hours=168),
    ProductKind.SOFTWARE_SUBSCRIPTION: timedelta(hours=168),
    ProductKind.MARKETPLACE_SAAS: timedelta(hours=72),
    ProductKind.PERPETUAL_SOFTWARE: timedelta(days=30),
}


def check_plan_change(
    subscription_id: str,
    current: tuple[str | None, str | None],
    requested: tuple[str | None, str | None],
    offered: Collection[tuple[str, str]] | None = None,
) -> list[Problem]:
    """Problems with changing a subscription's (term, billing cycle) mid-term.

    ``current`` and ``requested`` are (termDuration, billingCycle) as Partner Center spells
    them (None in ``requested``: unchanged); ``offered`` the plans the offer sells, when known.
    """
    term, cycle = current
    new_term = requested[0] or term
    new_cycle = requested[1] or cycle
    problems: list[Problem] = []
    if new_term != term:
        before, after = TERM_MONTHS.get(str(term)), TERM_MONTHS.get(str(new_term))
        if before is None or after is None or after <= before:
            problems.append(
                TERM_NOT_LONGER(
                    subscription_id=subscription_id, current=str(term), requested=str(new_term)
                )
            )
    if new_cycle != cycle and term == THREE_YEARS:
        problems.append(TRIENNIAL_FREQUENCY_LOCKED(subscription_id=subscription_id))
    if not problems and offered is not None and (str(new_term), str(new_cycle)) not in offered:
        problems.append(
            PLAN_NOT_OFFERED(
                subscription_id=subscription_id,
                term_duration=str(new_term),
                billing_cycle=str(new_cycle),
            )
        )
    return problems


def check_three_year_line(
    offer: Offer, quantity: int, term_duration: str | None, billing_cycle: str, field: str
) -> list[Problem]:
    """A three-year line of an offer that sets a minimum or forbids monthly billing."""
    if term_duration != THREE_YEARS:
        return []
    problems: list[Problem] = []
    minimum = offer.three_year_min_quantity
    if minimum is not None and quantity < minimum:
        problems.append(
            THREE_YEAR_MINIMUM(
                field=f"{field}.quantity",
                offer_name=offer.name,
                minimum=minimum,
                quantity=quantity,
            )
        )
    if not offer.three_year_monthly_billing and billing_cycle == "monthly":
        problems.append(
            THREE_YEAR_NO_MONTHLY(field=f"{field}.billing_cycle", offer_name=offer.name)
        )
    return problems


def check_seat_reduction(
    kind: ProductKind, subscription_id: str, current: int, requested: int
) -> list[Problem]:
    """Software subscriptions never reduce seats."""
    if kind is ProductKind.SOFTWARE_SUBSCRIPTION and requested < current:
        return [SOFTWARE_NO_REDUCTION(subscription_id=subscription_id)]
    return []


def refund_deadline(
    kind: ProductKind, purchased: datetime, parent_deadline: datetime | None = None
) -> datetime | None:
    """Until when a purchase (or renewal) may be cancelled with a refund; None for Azure.

    The child of a partial upgrade inherits its parent's window (``parent_deadline``): it
    does not reopen until the child renews.
    """
    if parent_deadline is not None:
        return parent_deadline
    window = REFUND_WINDOWS.get(kind)
    return None if window is None else purchased + window


def check_refund_window(
    kind: ProductKind,
    subscription_id: str,
    purchased: datetime,
    now: datetime,
    parent_deadline: datetime | None = None,
) -> list[Problem]:
    """A cancellation after the window of the product kind (or of the upgrade's parent)."""
    deadline = refund_deadline(kind, purchased, parent_deadline)
    if deadline is None or now <= deadline:
        return []
    return [
        REFUND_WINDOW_CLOSED(
            subscription_id=subscription_id, kind=kind.value, until=deadline.isoformat()
        )
    ]
