"""Warnings about new-commerce promotions (the rule is in ``validation/promotions.py``).

These are warnings: the checkout returns them in ``CheckoutResult.warnings`` and still places
the order. Partner Center drops a promotion silently when the term or billing cycle bought is
not the promotion's; the storefront shows this so the customer can choose.
"""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

LOST_BY_PLAN = ProblemType(
    "promotion.lost_by_plan",
    "term_duration",
    "{offer_name} for {term_duration} billed {billing_cycle} has no promotion, but the "
    "customer qualifies for “{promotion}” ({discount_percent} % off) on {promotion_term} "
    "billed {promotion_billing_cycle}.",
)
