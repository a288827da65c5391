"""Built-in ``csp_check_eligibility`` for co-termination: a line's chosen end date must be one
Partner Center offers the customer (``customTermEndDates``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks import hookimpl
from csp_commerce.validation import coterm

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutFacts, Order, Problem


@hookimpl
def csp_check_eligibility(order: Order, facts: CheckoutFacts) -> list[Problem]:
    """``coterm.*``: an end date on seats added, without a term, or not among those offered."""
    return coterm.check_order(order, facts)
