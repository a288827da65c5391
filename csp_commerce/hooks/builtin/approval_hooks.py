"""Built-in ``csp_approve_order``: approve every valid order. A host holds orders for a person
by answering the hook first (any non-None ``ApprovalDecision`` wins)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks import hookimpl
from csp_commerce.models.plan import ApprovalDecision

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutPlan, Order

_APPROVED = ApprovalDecision(approved=True, reason="approved by default")


@hookimpl(trylast=True)
def csp_approve_order(order: Order, plan: CheckoutPlan) -> ApprovalDecision:
    """Approved (the models are immutable, so one decision serves every order)."""
    return _APPROVED
