"""Specialised-industry offers (education, government, nonprofit) need a qualified customer.

Microsoft sells these offers only to customers whose matching qualification it has approved.
A qualification still in review and one Microsoft denied are different situations for the
customer (wait, or contact Microsoft), so each has its own Problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.models.catalogue.eligibility_codes import DENIED, IN_REVIEW, NOT_QUALIFIED
from csp_commerce.models.customer import Qualification
from csp_commerce.models.facts import VettingStatus
from csp_commerce.models.offer import Segment

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutFacts, Order, Problem

#: The qualification each restricted segment requires. Commercial offers need none.
REQUIRED_QUALIFICATION: dict[Segment, Qualification] = {
    Segment.EDUCATION: Qualification.EDUCATION,
    Segment.GOVERNMENT: Qualification.GOVERNMENT_COMMUNITY_CLOUD,
    Segment.NONPROFIT: Qualification.NONPROFIT,
}


# Approved beats in review beats denied when the customer has several entries.
_RANK = {VettingStatus.APPROVED: 0, VettingStatus.IN_REVIEW: 1, VettingStatus.DENIED: 2}


def check_order(order: Order, facts: CheckoutFacts) -> list[Problem]:
    """A Problem for every line whose offer needs a qualification the customer lacks."""
    problems: list[Problem] = []
    for index, line in enumerate(order.lines):
        offer = line.offer
        required = REQUIRED_QUALIFICATION.get(offer.segment)
        if required is None:
            continue
        held = [fact for fact in facts.qualifications if fact.qualification is required]
        best = min(held, key=lambda fact: _RANK[fact.vetting_status], default=None)
        if best is not None and best.vetting_status is VettingStatus.APPROVED:
            continue
        field = f"lines.{index}.offer"
        params = {
            "offer": offer.name,
            "offer_id": offer.id,
            "segment": offer.segment.value,
            "qualification": required.value,
        }
        if best is None:
            problems.append(NOT_QUALIFIED(field=field, **params))
        elif best.vetting_status is VettingStatus.IN_REVIEW:
            problems.append(IN_REVIEW(field=field, **params))
        else:
            reason = best.vetting_reason or "no reason given"
            problems.append(DENIED(field=field, reason=reason, **params))
    return problems
