"""Submit orders now, place them later: ``Checkout.submit`` and ``Checkout.work``.

A web process judges an order and records it (``submit``: the customer sees every Problem at
once, or that the order is accepted) without waiting for Partner Center to buy anything; any
number of workers, on any machines sharing the ledger's database, place the recorded orders
(``work``, or ``csp-commerce worker``). The placing is the one step engine's, exactly as
``Checkout.place`` does it: one worker per order (a lease, claimed atomically), each step's
``MS-RequestId`` recorded before it is sent.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from csp_commerce.checkout.checkout import _approval_of, _waiting
from csp_commerce.errors import CSPCommerceError
from csp_commerce.fulfilment.work_queue import OrderWorker, WorkSummary
from csp_commerce.models import (
    ApprovalDecision,
    CheckoutPlan,
    CheckoutResult,
    Order,
    ProvisioningOutcome,
)
from csp_commerce.store.approvals import ApprovalStatus
from csp_commerce.store.ledger import OrderStatus

if TYPE_CHECKING:
    import threading

    from csp_commerce.checkout.checkout import Checkout
    from csp_commerce.models import CheckoutFacts

logger = logging.getLogger(__name__)

_SUBMITTED_BEFORE = ApprovalDecision(approved=True, reason="submitted before: the ledger's record")
_FINISHED = (OrderStatus.PLACED, OrderStatus.FAILED)


def submit(checkout: Checkout, order: Order, facts: CheckoutFacts | None = None) -> CheckoutResult:
    """``Checkout.submit``: judge ``order`` as ``place`` does and, approved, record it pending.

    ``facts`` default to what Partner Center says (reads only). The result carries the
    Problems (nothing is recorded), an order held for approval (kept in the approval queue as
    ``place`` keeps it: ``approve`` places it), or the plan and approval of the order now
    pending, with no ``outcome`` yet. Submitting an order id the ledger already holds answers
    with its recorded plan (and its outcome once a worker finished it), recording nothing.
    """
    provisioner = checkout._blocking()
    record = provisioner.ledger.order(order.id)
    if record is not None:
        provisioner.engine.check_target(record.target, f"order {order.id}")
        finished = record.status in _FINISHED and record.outcome is not None
        return CheckoutResult(
            order_id=order.id,
            plan=CheckoutPlan.model_validate(json.loads(record.plan_json)["plan"]),
            approval=_SUBMITTED_BEFORE,
            outcome=ProvisioningOutcome.model_validate(record.outcome) if finished else None,
        )
    held = provisioner.ledger.approvals.get(order.id)
    if held is not None:
        provisioner.engine.check_target(held.target, f"order {order.id} held for approval")
        if held.status in (ApprovalStatus.HELD, ApprovalStatus.REJECTED):
            return _waiting(held)  # a person decides; one waiting for its relationship: judged
    approved = held is not None and held.status is ApprovalStatus.APPROVED
    decision = _approval_of(held) if held is not None and approved else None
    return provisioner.engine.run(checkout._place(provisioner, order, facts, decision, queue=True))


def queue_approved(checkout: Checkout) -> int:
    """Record as pending every order approved whose placing a dead process never began (each
    judged again by today's facts, as ``Checkout.resume`` does); how many were queued."""
    provisioner = checkout._blocking()
    queued = 0
    for held in provisioner.ledger.approvals.approved_unplaced(provisioner.target):
        order = Order.model_validate_json(held.order_json)
        try:
            placing = checkout._place(provisioner, order, None, _approval_of(held), queue=True)
            provisioner.engine.run(placing)
        except CSPCommerceError as error:  # the facts could not be read now: next time
            logger.warning("approved order %s is not queued yet: %s", order.id, error)
            continue
        queued += provisioner.ledger.order(order.id) is not None
    return queued


def work(
    checkout: Checkout,
    *,
    stop: threading.Event | None = None,
    max_orders: int | None = None,
    until_idle: bool = False,
    poll_interval: float = 1.0,
    lease_seconds: float | None = None,
    retry_after: float = 30.0,
) -> WorkSummary:
    """``Checkout.work``: claim and place submitted orders (see :class:`OrderWorker`).

    Runs until ``stop`` is set (the step in flight finishes first), ``max_orders`` orders have
    been claimed, or, with ``until_idle``, nothing is left to claim. Between orders it finishes
    orders whose worker died (their lease run out), places approved orders a dead process
    never placed, and retries failed host notifications.
    """
    worker = OrderWorker(
        checkout._blocking(),
        stop=stop,
        lease_seconds=lease_seconds,
        retry_after=retry_after,
        poll_interval=poll_interval,
        housekeeping=lambda: queue_approved(checkout),
    )
    return worker.run(max_orders=max_orders, until_idle=until_idle)
