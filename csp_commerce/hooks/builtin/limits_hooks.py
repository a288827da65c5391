"""Built-in ``csp_check_subscription_limits`` and ``csp_plan_line`` (the Business plan rule,
seat caps, the Dynamics policy, add-on parents, seats added to existing subscriptions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks import hookimpl
from csp_commerce.validation import limits

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutFacts, LinePlan, Order, OrderLine, Problem
    from csp_commerce.models.settings import CheckoutSettings


@hookimpl
def csp_check_subscription_limits(
    order: Order, facts: CheckoutFacts, settings: CheckoutSettings
) -> list[Problem]:
    """Subscription counts and seat caps."""
    return limits.check_order(order, facts, settings)


@hookimpl(trylast=True)
def csp_plan_line(
    line: OrderLine, order: Order, facts: CheckoutFacts, settings: CheckoutSettings
) -> LinePlan:
    """A new subscription, or more seats on an existing one."""
    return limits.plan_line(line, order, facts, settings)
