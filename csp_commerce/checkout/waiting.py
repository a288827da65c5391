"""Orders waiting for an existing tenant's reseller relationship, and their resumption.

An existing tenant's order whose only Problem is ``tenant.needs_invitation`` is not lost: the
checkout keeps it in the ledger's approval queue, ``waiting`` (the held-order mechanism of
:mod:`csp_commerce.store.approvals`), and tells the host through ``csp_order_waiting`` which
link the tenant's global administrator must open. When the relationship is accepted (the
``reseller-relationship-accepted-by-customer`` event's handler, or the host's own re-check),
:func:`resume_waiting` judges each waiting order of that tenant again by today's facts and
places it through the step engine like any order: ``Checkout.place`` moves it out of
``waiting`` in one conditional write before anything is sent, and the ledger places an order
id once, so a second event, a second process or a second call places nothing more.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from csp_commerce.errors import ConfigurationError, OrderBusyError, ProvisioningInterrupted
from csp_commerce.models import Order
from csp_commerce.models.catalogue.tenancy_codes import NEEDS_INVITATION
from csp_commerce.store.approvals import ApprovalStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

    from csp_commerce.checkout.checkout import Checkout
    from csp_commerce.hooks.manager import HookManager
    from csp_commerce.models import CheckoutResult, Problem
    from csp_commerce.store.approvals import ApprovalQueue

logger = logging.getLogger(__name__)

#: Who ``Checkout.place`` says released a waiting order (the approvals record's ``decided_by``).
RELEASED_BY = "csp_approve_order, after the reseller relationship was accepted"


def invitation_link(problems: Sequence[Problem]) -> str | None:
    """The relationship request link when it is the only thing missing (every Problem is
    ``tenant.needs_invitation``), else None."""
    if not problems or any(problem.code != NEEDS_INVITATION.code for problem in problems):
        return None
    url = problems[0].params.get("url")
    return url if isinstance(url, str) and url else None


def note_waiting(
    hooks: HookManager,
    approvals: ApprovalQueue,
    target: str,
    order: Order,
    problems: Sequence[Problem],
) -> None:
    """After ``order`` was judged with ``problems``: keep it waiting when only the reseller
    relationship is missing (telling the host once), or say why a waiting one still waits."""
    record = approvals.get(order.id)
    url = invitation_link(problems)
    if record is None and url is not None:
        approvals.wait(
            order.id, order.customer.reference, order.model_dump_json(), target=target, reason=url
        )
        hooks.order_waiting(order, url)
    elif record is not None and record.status is ApprovalStatus.WAITING:
        codes = ", ".join(problem.code for problem in problems)
        approvals.still_waiting(order.id, f"judged again: {codes}")


def waiting_orders(checkout: Checkout, tenant_id: str | None = None) -> list[Order]:
    """The orders waiting for a reseller relationship (of ``tenant_id`` only, if given),
    oldest first."""
    provisioner = checkout.provisioner
    if provisioner is None:
        raise ConfigurationError(
            "no provisioner: pass provisioner=Provisioner(client, ledger, hooks) to Checkout"
        )
    records = provisioner.ledger.approvals.all(ApprovalStatus.WAITING, target=provisioner.target)
    orders = [Order.model_validate_json(record.order_json) for record in records]
    if tenant_id is None:
        return orders
    wanted = tenant_id.lower()
    return [order for order in orders if (order.customer.tenant_id or "").lower() == wanted]


def resume_waiting(checkout: Checkout, tenant_id: str | None = None) -> list[CheckoutResult]:
    """Judge every order waiting for ``tenant_id``'s relationship (every tenant's when None)
    again and place those that pass; returns each order's result.

    An order whose tenant still has no relationship stays waiting (its result carries the
    Problem again); one ``csp_approve_order`` holds goes to the approval queue. An order
    another worker is placing, or whose answer Partner Center has not given yet, is left to
    that worker or to ``Checkout.resume`` (logged, not in the list).
    """
    results = []
    for order in waiting_orders(checkout, tenant_id):
        try:
            results.append(checkout.place(order))
        except (OrderBusyError, ProvisioningInterrupted) as stopped:
            logger.warning("waiting order %s is not placed yet: %s", order.id, stopped)
    return results


__all__ = ["RELEASED_BY", "invitation_link", "note_waiting", "resume_waiting", "waiting_orders"]
