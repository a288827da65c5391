"""Built-in ``csp_check_eligibility``: specialised-industry offers need a qualified customer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks import hookimpl
from csp_commerce.validation import eligibility

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutFacts, Order, Problem


@hookimpl
def csp_check_eligibility(order: Order, facts: CheckoutFacts) -> list[Problem]:
    """Education, government and nonprofit offers need the approved qualification."""
    return eligibility.check_order(order, facts)
