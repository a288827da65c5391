"""Upgrades of new-commerce subscriptions (transitions), through the one step engine.

:func:`upgrade_options` lists the targets a subscription may move to (now, or scheduled for the
renewal), each with its eligibility and Partner Center's reasons against it. :func:`upgrade`
moves some or all seats to a target as one step of the subscription manager's engine: judged
first (the subscription active, the seats there, the target eligible for the transition type),
then recorded with its MS-RequestId and the transitions already made, under the subscription's
lock, before it is sent (``fulfilment/transitions.py`` says how a lost answer is resolved).

The subscription a partial upgrade creates inherits the source's refund window
(``validation.billing_plan.refund_deadline`` with the parent's deadline): ``Upgrade.refund_until``
says until when it may be cancelled; it does not reopen until the new subscription renews.
Use these through :class:`~csp_commerce.operations.SubscriptionManager` (``upgrade_options``,
``upgrade``).
"""

from __future__ import annotations

import contextlib
import uuid
from typing import TYPE_CHECKING, Any

from csp_commerce.errors import NotFoundError, StepFailed
from csp_commerce.fulfilment.transitions import transition
from csp_commerce.models._base import Model
from csp_commerce.models.catalogue.subscriptions_codes import OPERATION_FAILED, QUANTITY_INVALID
from csp_commerce.models.catalogue.upgrades_codes import (
    UPGRADE_QUANTITY_OVER_SEATS,
    UPGRADE_REFUSED,
    UPGRADE_SUBSCRIPTION_INACTIVE,
    UPGRADE_TARGET_NOT_ELIGIBLE,
    UPGRADE_TRANSITION_TYPE_INVALID,
)
from csp_commerce.models.problem import Problem
from csp_commerce.provisioning.wire.transitions import (
    TRANSITION_ONLY,
    TRANSITION_TYPES,
    Transition,
    TransitionEligibility,
)
from csp_commerce.store.ledger import StepStatus
from csp_commerce.validation.billing_plan import refund_deadline
from csp_commerce.validation.subscription_changes import cancellation_deadline

if TYPE_CHECKING:
    from csp_commerce.operations.subscription_manager import SubscriptionManager
    from csp_commerce.provisioning.wire import Subscription
    from csp_commerce.store.ledger import Step

#: The step key every post-sale change of a subscription uses (one per operation id).
_CHANGE = "change"


class Upgrade(Model):
    """The outcome of an upgrade (transition). ``problems`` empty: the seats moved;
    ``new_subscription_id`` holds them, cancellable until ``refund_until`` (the source's
    window, inherited). ``replayed``: the operation id had run before; nothing new was done."""

    customer_id: str
    subscription_id: str
    target: str
    quantity: int | None = None
    operation_id: str
    request_id: str | None = None
    replayed: bool = False
    transition: Transition | None = None
    new_subscription_id: str | None = None
    refund_until: str | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the seats were moved."""
        return not self.problems


def upgrade_options(
    manager: SubscriptionManager, customer_id: str, subscription_id: str, *, scheduled: bool
) -> list[TransitionEligibility]:
    """The subscription's upgrade targets now (or at renewal: ``scheduled``)."""
    kind = "scheduled" if scheduled else "immediate"
    listed = manager.client.transitions.eligibilities
    return list(listed(customer_id, subscription_id, eligibility_type=kind))


def upgrade(
    manager: SubscriptionManager,
    customer_id: str,
    subscription_id: str,
    target: str,
    quantity: int | None,
    *,
    transition_type: str = TRANSITION_ONLY,
    term_duration: str | None = None,
    billing_cycle: str | None = None,
    promotion_id: str | None = None,
    operation_id: str | None = None,
) -> Upgrade:
    """Move ``quantity`` seats (None: all) of the subscription to ``target`` (a catalog item
    id) exactly once; see the module."""
    from csp_commerce.operations.subscription_manager import _not_found, _reused

    operation_id = operation_id or str(uuid.uuid4())
    base: dict[str, Any] = {
        "customer_id": customer_id,
        "subscription_id": subscription_id,
        "target": target,
        "quantity": quantity,
        "operation_id": operation_id,
    }
    if transition_type not in TRANSITION_TYPES:
        return Upgrade(**base, problems=(UPGRADE_TRANSITION_TYPE_INVALID(value=transition_type),))
    asked = {"target": target, "quantity": quantity, "transition_type": transition_type}
    ledger, engine = manager.ledger, manager.engine
    existing = ledger.get_step(operation_id, _CHANGE)
    if existing is not None:
        engine.check_target(existing.target, f"operation {operation_id}")
        reused = _reused(existing, "upgrade", asked, operation_id)
        if reused is not None:
            return Upgrade(**base, problems=(reused,))
        if existing.status is not StepStatus.SENT:
            return _recorded(existing, base, replayed=True)
        return _send(manager, base, {}, {})  # sent before, outcome unknown: as recorded
    with engine.locked(subscription_id, operation_id):
        try:
            current = manager.get(customer_id, subscription_id)
        except NotFoundError:
            return Upgrade(**base, problems=(_not_found(subscription_id),))
        problems = _judge(manager, customer_id, current, target, quantity, transition_type)
        if problems:
            return Upgrade(**base, problems=tuple(problems))
        seats = current.quantity if quantity is None else quantity
        request = {
            "to_catalog_item_id": target,
            "quantity": seats,
            "term_duration": term_duration or current.term_duration,
            "billing_cycle": billing_cycle or current.billing_cycle,
            "transition_type": transition_type,
            "from_catalog_item_id": current.offer_id,
            "promotion_id": promotion_id,
        }
        inherited = refund_deadline(
            _kind(current), manager.now(), parent_deadline=cancellation_deadline(current)
        )
        note = {
            **manager._stamp(subscription_id),
            "operation": "upgrade",
            **asked,
            "previous": {"offer_id": current.offer_id, "quantity": current.quantity},
            "refund_until": inherited.isoformat() if inherited else None,
        }
        return _send(manager, base, request, note)


def _kind(subscription: Subscription) -> Any:
    from csp_commerce.operations.subscription_manager import product_kind_of

    return product_kind_of(subscription)


def _judge(
    manager: SubscriptionManager,
    customer_id: str,
    current: Subscription,
    target: str,
    quantity: int | None,
    transition_type: str,
) -> list[Problem]:
    """The customer's mistakes, found before any change is sent."""
    scope = manager._scope(current)
    if scope is not None:
        return [scope]
    if current.status != "active":
        status = current.status or "unknown"
        return [UPGRADE_SUBSCRIPTION_INACTIVE(subscription_id=current.id, status=status)]
    if quantity is not None and quantity < 1:
        return [QUANTITY_INVALID()]
    if quantity is not None and quantity > current.quantity:
        return [
            UPGRADE_QUANTITY_OVER_SEATS(
                subscription_id=current.id, seats=current.quantity, quantity=quantity
            )
        ]
    options = upgrade_options(manager, customer_id, current.id, scheduled=False)
    option = next((o for o in options if o.catalog_item_id == target), None)
    if option is None:
        reason = "it is not one of the subscription's upgrade targets"
    elif transition_type not in option.eligible_types:
        reason = "; ".join(option.reasons) or f"{transition_type} is not offered for it"
    else:
        return []
    return [UPGRADE_TARGET_NOT_ELIGIBLE(subscription_id=current.id, target=target, reason=reason)]


def _send(
    manager: SubscriptionManager,
    base: dict[str, Any],
    request: dict[str, Any],
    note: dict[str, Any],
) -> Upgrade:
    """Send the transition as one engine step, holding the subscription's lock until its
    outcome is known. Unknown outcomes propagate (the step stays ``sent``; the same operation
    id or ``SubscriptionManager.resume`` finishes it)."""
    customer_id, subscription_id = base["customer_id"], base["subscription_id"]
    operation_id = base["operation_id"]
    locked = manager.engine.locked(subscription_id, operation_id)
    # A refusal is recorded in the ledger: the answer is read from there below.
    with locked as lock, contextlib.suppress(StepFailed):
        transition(
            manager.engine,
            operation_id,
            _CHANGE,
            customer_id,
            subscription_id,
            request,
            lock_name=lock,
            actor=manager.actor,
            note=note,
        )
    step = manager.ledger.get_step(operation_id, _CHANGE)
    assert step is not None  # the engine recorded it
    return _recorded(step, base, replayed=step.attempts > 1)


def _recorded(step: Step, base: dict[str, Any], *, replayed: bool) -> Upgrade:
    """A finished upgrade as the ledger holds it."""
    base = {**base, "request_id": step.request_id, "replayed": replayed}
    base["refund_until"] = step.intent.get("refund_until")
    if step.status is StepStatus.DONE:
        made = Transition.model_validate((step.result or {})["transition"])
        return Upgrade(**base, transition=made, new_subscription_id=made.to_subscription_id)
    error = step.error or {}
    if not error:
        problem = OPERATION_FAILED(operation_id=step.operation_id, reason="unknown")
    else:
        code = error.get("code")
        reason = f"{code}: {error.get('message')}" if code else str(error.get("message"))
        problem = UPGRADE_REFUSED(target=base["target"], reason=reason)
    return Upgrade(**base, problems=(problem,))
