"""A host's checkout rules: one overriding a built-in, one added next to the built-ins.

* ``csp_approve_order`` (firstresult): orders above a seat count wait for the sales desk;
  any other order gets ``None``, which lets the next plugin (the built-in: approve) decide.
* ``csp_check_eligibility`` (collected): customers whose e-mail or tenant domain is on the
  blocked list get the Problem ``example.domain_blocked``, next to the built-in Problems.
"""

from __future__ import annotations

import os

from csp_commerce import ApprovalDecision, CheckoutPlan, Order, Problem, hookimpl
from csp_commerce.models.catalogue import define

APPROVAL_SEATS_ENV = "CSP_EXAMPLE_APPROVAL_SEATS"
BLOCKED_DOMAINS_ENV = "CSP_EXAMPLE_BLOCKED_DOMAINS"
DEFAULT_APPROVAL_SEATS = 250
DEFAULT_BLOCKED_DOMAINS = "mailinator.com,guerrillamail.com"

DOMAIN_BLOCKED = define(
    "example.domain_blocked",
    "customer.contact.email",
    "We do not sell to {domain}: please use your organisation's own e-mail address and domain.",
)


def approval_seats() -> int:
    """Orders with more seats than this wait for a person."""
    return int(os.environ.get(APPROVAL_SEATS_ENV, DEFAULT_APPROVAL_SEATS))


def blocked_domains() -> frozenset[str]:
    """The blocked e-mail and tenant domains, lower case."""
    raw = os.environ.get(BLOCKED_DOMAINS_ENV, DEFAULT_BLOCKED_DOMAINS)
    return frozenset(part.strip().lower() for part in raw.split(",") if part.strip())


@hookimpl
def csp_approve_order(order: Order, plan: CheckoutPlan) -> ApprovalDecision | None:
    """Hold orders above the seat threshold; pass (None) on the rest."""
    seats = sum(line.quantity for line in plan.lines)
    limit = approval_seats()
    if seats > limit:
        return ApprovalDecision(
            approved=False,
            reason=f"{seats} seats is more than {limit}: the sales desk approves it",
            held_by="sales-desk",
        )
    return None


@hookimpl
def csp_check_eligibility(order: Order) -> list[Problem]:
    """The customer's contact e-mail and tenant domain must not be on the blocked list."""
    blocked = blocked_domains()
    customer = order.customer
    problems = []
    if customer.contact is not None:
        domain = customer.contact.email.rpartition("@")[2].lower()
        if domain in blocked:
            problems.append(DOMAIN_BLOCKED(domain=domain))
    tenant_domain = (customer.company.domain or "").lower()
    if tenant_domain in blocked:
        problems.append(DOMAIN_BLOCKED(field="customer.company.domain", domain=tenant_domain))
    return problems
