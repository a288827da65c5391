"""Promotions on order lines: the warning for a plan that loses one.

Partner Center applies a new-commerce promotion only to the term and billing cycle it was made
for, and drops it without an error when the line is bought on another plan (learn
``pricing/new-commerce-promotions``, via the reference's §2). The facts
(:class:`~csp_commerce.models.PromotionFact`) say, per line and plan, which promotions the
customer may have (``CheckoutFacts.promotion_for`` says which one a line gets); this rule only
reads them. Pure: no I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.models.catalogue.promotions_codes import LOST_BY_PLAN

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutFacts, Order, Problem, PromotionFact


def _best(facts: list[PromotionFact]) -> PromotionFact | None:
    return max(facts, key=lambda fact: (fact.discount, fact.promotion_id), default=None)


def check_order(order: Order, facts: CheckoutFacts) -> list[Problem]:
    """Warnings (``promotion.lost_by_plan``): a line that gets no promotion on its plan while
    the customer qualifies for one on another plan of the same offer (the largest is named)."""
    warnings: list[Problem] = []
    for index, line in enumerate(order.lines):
        if line.subscription_id is not None or facts.promotion_for(line) is not None:
            continue
        elsewhere = _best(
            [fact for fact in facts.promotions if fact.line_id == line.id and fact.eligible]
        )
        if elsewhere is None:
            continue
        other_term = elsewhere.term_duration is not line.term_duration
        warnings.append(
            LOST_BY_PLAN(
                field=f"lines.{index}.{'term_duration' if other_term else 'billing_cycle'}",
                offer_name=line.offer.name,
                term_duration=line.term_duration.value if line.term_duration else None,
                billing_cycle=line.billing_cycle.value,
                promotion=elsewhere.name or elsewhere.promotion_id,
                promotion_id=elsewhere.promotion_id,
                discount_percent=float(elsewhere.discount * 100),
                promotion_term=elsewhere.term_duration.value,
                promotion_billing_cycle=elsewhere.billing_cycle.value,
            )
        )
    return warnings
