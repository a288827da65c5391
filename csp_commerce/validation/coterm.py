"""Co-terminated end dates: a new subscription's ``customTermEndDate`` must be one Partner
Center offers the customer for the line's term (``customTermEndDates``: month ends and the end
dates of its existing subscriptions), checked before any request. Pure: no I/O."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.models.catalogue.coterm_codes import (
    DATE_NOT_OFFERED,
    NEEDS_TERM,
    NEW_SUBSCRIPTIONS_ONLY,
)

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutFacts, Order, Problem


def check_order(order: Order, facts: CheckoutFacts) -> list[Problem]:
    """Problems with the lines' chosen end dates (lines without one are not judged)."""
    problems: list[Problem] = []
    for index, line in enumerate(order.lines):
        wanted = line.custom_term_end_date
        if wanted is None:
            continue
        field = f"lines.{index}.custom_term_end_date"
        name = line.offer.name
        if line.subscription_id is not None:
            problems.append(
                NEW_SUBSCRIPTIONS_ONLY(
                    field=field, offer_name=name, subscription_id=line.subscription_id
                )
            )
        elif line.term_duration is None:
            problems.append(NEEDS_TERM(field=field, offer_name=name))
        else:
            offered = facts.term_end_dates.get(line.term_duration, ())
            if wanted not in offered:
                problems.append(
                    DATE_NOT_OFFERED(
                        field=field,
                        offer_name=name,
                        end_date=wanted.isoformat(),
                        term_duration=line.term_duration.value,
                        offered_dates=[day.isoformat() for day in offered],
                    )
                )
    return problems
