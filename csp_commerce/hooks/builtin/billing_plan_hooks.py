"""Built-in ``csp_check_billing_plan``: the new-commerce three-year SKU rules (a minimum of
seats, no monthly billing) where the offer says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks import hookimpl
from csp_commerce.validation import billing_plan

if TYPE_CHECKING:
    from csp_commerce.models import Order, OrderLine, Problem


@hookimpl
def csp_check_billing_plan(line: OrderLine, index: int, order: Order) -> list[Problem]:
    """Problems with the three-year plan of ``line`` (the order's line ``index``)."""
    term = line.term_duration.value if line.term_duration is not None else None
    return billing_plan.check_three_year_line(
        line.offer, line.quantity, term, line.billing_cycle.value, f"lines.{index}"
    )
