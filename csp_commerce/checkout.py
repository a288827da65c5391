"""The checkout: gather facts, judge the order through the hooks, then (later) provision it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks.manager import HookManager
from csp_commerce.models import CheckoutFacts, CheckoutPlan, CheckoutResult, Problem
from csp_commerce.settings import CheckoutSettings
from csp_commerce.validation import billing

if TYPE_CHECKING:
    from csp_commerce.models import McaAcceptance, Order


class Checkout:
    """The host's entry point: ``validate`` an order against its facts, and get every Problem at
    once or the plan of what to provision.

    ``hooks`` defaults to a :class:`HookManager` with our built-ins and the installed plugins;
    ``settings`` to :class:`CheckoutSettings` defaults.
    """

    def __init__(
        self, hooks: HookManager | None = None, settings: CheckoutSettings | None = None
    ) -> None:
        self.hooks = hooks if hooks is not None else HookManager()
        self.settings = settings if settings is not None else CheckoutSettings()

    def validate(self, order: Order, facts: CheckoutFacts | None = None) -> CheckoutResult:
        """Judge ``order`` by ``facts``: all Problems together, or the plan and its approval."""
        facts = facts if facts is not None else CheckoutFacts()
        hooks, settings = self.hooks, self.settings
        problems: list[Problem] = [
            _within(problem, "customer.address")
            for problem in hooks.validate_address(order.customer.address)
        ]
        for index, line in enumerate(order.lines):
            options = hooks.billing_options(line.offer, settings)
            problems += billing.check_line(line, index, options)
        problems += hooks.check_eligibility(order, facts, settings)
        problems += hooks.check_subscription_limits(order, facts, settings)
        problems += hooks.check_mca(order, facts, settings)
        problems += hooks.check_reseller(order, facts, settings)
        tenant = hooks.resolve_tenant(order, facts, settings)
        problems += tenant.problems
        if problems:
            return CheckoutResult(order_id=order.id, problems=tuple(problems))
        plan = CheckoutPlan(
            order_id=order.id,
            tenant=tenant,
            lines=tuple(hooks.plan_line(line, order, facts, settings) for line in order.lines),
        )
        approval = hooks.approve_order(order, plan)
        return CheckoutResult(order_id=order.id, plan=plan, approval=approval)

    def record_mca_acceptance(self, acceptance: McaAcceptance) -> None:
        """Record that the customer accepted the MCA (every ``csp_record_mca_acceptance`` runs)."""
        self.hooks.record_mca_acceptance(acceptance)


def _within(problem: Problem, prefix: str) -> Problem:
    field = f"{prefix}.{problem.field}" if problem.field else prefix
    return problem.model_copy(update={"field": field})
