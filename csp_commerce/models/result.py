"""The answer to a checkout: Problems, or the plan, its approval and what provisioning did."""

from __future__ import annotations

from pydantic import Field

from csp_commerce.models._base import Model
from csp_commerce.models.outcome import ProvisioningOutcome
from csp_commerce.models.plan import ApprovalDecision, CheckoutPlan
from csp_commerce.models.price import LinePrice
from csp_commerce.models.problem import Problem


class CheckoutResult(Model):
    """The answer to ``Checkout.validate``: every Problem at once, or the plan to provision.

    ``prices`` has each line's price and margin, in line order, when a plugin answers
    ``csp_price_line`` (e.g. ``PriceListPlugin``); it is empty otherwise. ``Checkout.place`` adds
    the ``outcome`` of provisioning an approved plan.
    """

    order_id: str
    problems: tuple[Problem, ...] = ()
    plan: CheckoutPlan | None = None
    approval: ApprovalDecision | None = None
    prices: tuple[LinePrice | None, ...] = ()
    outcome: ProvisioningOutcome | None = None
    warnings: tuple[Problem, ...] = Field(
        default=(),
        description="Problems that do not stop the order, for the storefront to show (e.g. "
        "a plan that loses an available promotion: ``csp_check_promotions``)",
    )

    @property
    def ok(self) -> bool:
        """True when there are no problems and the order is approved."""
        return (
            not self.problems
            and self.plan is not None
            and bool(self.approval and self.approval.approved)
        )
