"""Built-in ``csp_check_promotions``: warn when a line's plan loses an available promotion."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks import hookimpl
from csp_commerce.validation import promotions

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutFacts, Order, Problem


@hookimpl
def csp_check_promotions(order: Order, facts: CheckoutFacts) -> list[Problem]:
    """``promotion.lost_by_plan`` for each line whose term or billing cycle misses a
    promotion the customer qualifies for on another plan."""
    return promotions.check_order(order, facts)
