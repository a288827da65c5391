"""The changes every operation sends, each as one step of the engine: a subscription updated
(seats, status, auto-renew, end-of-term action) and a cart bought. The order saga and the
post-sale managers both use these, so a change is described, recorded and recovered one way
only.

Each is a program (:mod:`~csp_commerce.fulfilment.program`): it yields the client's answers,
so the same description runs with the sync client (``engine.run(set_quantity(engine, ...))``)
and with the async one (``await engine.arun(...)``), or inside a larger program
(``yield from``).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from csp_commerce.errors import (
    BadRequestError,
    CartAlreadySubmittedError,
    OutcomeUnknown,
    StepFailed,
)
from csp_commerce.fulfilment.engine import failure
from csp_commerce.models import LineAction
from csp_commerce.models.end_of_term import wire_changes
from csp_commerce.provisioning.wire import CartLineItem, Participant
from csp_commerce.provisioning.wire.orders import line_terms

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from csp_commerce.fulfilment.engine import ClientT, StepEngine
    from csp_commerce.fulfilment.program import Program
    from csp_commerce.models import LinePlan
    from csp_commerce.models.end_of_term import EndOfTermAction, NextTerm
    from csp_commerce.provisioning.wire import Cart, CartCheckoutResult, Subscription
    from csp_commerce.store.ledger import Step

#: Namespace for cart request ids derived from a purchase step's request id.
_CART_IDS = uuid.UUID("5f1a3c9e-2b7d-4e11-9c3a-6d0b8e4f2a71")


def update_subscription(
    engine: StepEngine[ClientT],
    operation_id: str,
    key: str,
    kind: str,
    customer_id: str,
    subscription_id: str,
    changes: Mapping[str, Any] | Callable[[Subscription], Mapping[str, Any]],
    *,
    lock_name: str,
    current: Subscription | None = None,
    owner: str | None = None,
    actor: str | None = None,
    note: Mapping[str, Any] | None = None,
) -> Program[dict[str, Any]]:
    """Change a subscription as one step (call it holding the subscription's lock).

    The subscription as read (``current``, or one GET) and the absolute ``changes`` (or the
    function computing them from that read: ``current + 4`` seats) are recorded before the
    PATCH, so a resend sends the very same request: one read and one write, and never a stale
    target, since the lock keeps other operations out until the outcome is known. ``note`` adds
    to the recorded intent (who asked, what it was before). Returns the subscription as
    Partner Center answered (or as read back).
    """

    def plan() -> Program[dict[str, Any]]:
        read: Subscription = current or (
            yield engine.client.subscriptions.get(customer_id, subscription_id)
        )
        wanted = changes(read) if callable(changes) else changes
        return {**dict(note or {}), "subscription": read.to_wire(), "changes": dict(wanted)}

    def send(step: Step) -> Program[dict[str, Any]]:
        intent = step.intent
        updated: Subscription = yield engine.client.subscriptions.update(
            customer_id, intent["subscription"], intent["changes"], request_id=step.request_id
        )
        return {"subscription": updated.to_wire()}

    def read_back(step: Step) -> Program[dict[str, Any] | None]:
        read: Subscription = yield engine.client.subscriptions.get(customer_id, subscription_id)
        now = read.to_wire()
        if all(now.get(field) == value for field, value in step.intent["changes"].items()):
            return {"subscription": now}
        # A PATCH takes effect at once: refused, and not there, means it was not made.
        raise StepFailed(
            failure(
                f"Partner Center refused the change of subscription {subscription_id} again,"
                " and it was not made",
                request_id=step.request_id,
                error_type="BadRequestError",
            )
        )

    return (
        yield from engine.step_program(
            operation_id,
            key,
            kind,
            intent=plan,
            send=send,
            read_back=read_back,
            explained=_explained_by_an_earlier_patch,
            owner=owner,
            lock_name=lock_name,
            context={
                "customer_id": customer_id,
                "subscription_id": subscription_id,
                "actor": actor,
            },
        )
    )


def _explained_by_an_earlier_patch(error: Exception) -> bool:
    """Refusals an earlier attempt of the same PATCH explains: the etag moved (2055), the
    subscription is deleted already (2011). Any other refusal stands."""
    return isinstance(error, BadRequestError) and error.code in (2055, 2011)


def set_quantity(
    engine: StepEngine[ClientT],
    operation_id: str,
    key: str,
    customer_id: str,
    subscription_id: str,
    target: Callable[[int], int],
    *,
    lock_name: str,
    owner: str | None = None,
) -> Program[int]:
    """Set the seats to ``target(current)`` as one step (under the subscription's lock);
    returns the count set."""
    result = yield from update_subscription(
        engine,
        operation_id,
        key,
        "set_quantity",
        customer_id,
        subscription_id,
        lambda read: {"quantity": target(read.quantity)},
        lock_name=lock_name,
        owner=owner,
    )
    return int(result["subscription"]["quantity"])


def set_end_of_term(
    engine: StepEngine[ClientT],
    operation_id: str,
    key: str,
    customer_id: str,
    subscription_id: str,
    action: EndOfTermAction,
    *,
    lock_name: str,
    next_term: NextTerm | None = None,
    current: Subscription | None = None,
    owner: str | None = None,
    actor: str | None = None,
    note: Mapping[str, Any] | None = None,
) -> Program[dict[str, Any]]:
    """Set what the subscription does at term end, explicitly (never ``autoRenewEnabled``
    alone: off means the paid extended term to Partner Center), as one step under the
    subscription's lock. ``next_term`` schedules changes for the renewal."""
    return (
        yield from update_subscription(
            engine,
            operation_id,
            key,
            "set_end_of_term",
            customer_id,
            subscription_id,
            wire_changes(action, next_term),
            lock_name=lock_name,
            current=current,
            owner=owner,
            actor=actor,
            note=note,
        )
    )


def purchase(
    engine: StepEngine[ClientT],
    operation_id: str,
    key: str,
    customer_id: str,
    lines: Sequence[LinePlan],
    *,
    owner: str | None = None,
    actor: str | None = None,
    note: Mapping[str, Any] | None = None,
) -> Program[dict[str, dict[str, Any]]]:
    """Buy ``lines`` in one cart and check it out, as one step; returns each line's
    ``subscription_id`` and Partner Center ``order_id`` by line id.

    The cart is created with a request id derived from the step's, and its id written down
    before checkout, so that a resend checks out the same cart: Partner Center replays the
    checkout, or refuses it as already submitted (800065), and the subscriptions are then read
    back (none claimed by another purchase of this Partner Center). A partly refused cart fails
    the step with what it bought, for the caller to undo. A cart line's ``id`` is its index.
    """

    def send(step: Step) -> Program[dict[str, Any]]:
        cart_id = step.intent.get("cart_id")
        if cart_id is None:
            cart: Cart = yield engine.client.carts.create(
                customer_id,
                [_cart_line(index, line) for index, line in enumerate(lines)],
                request_id=str(uuid.uuid5(_CART_IDS, step.request_id)),
            )
            cart_id = cart.id
            engine.ledger.note_step(step.operation_id, step.key, {"cart_id": cart_id})
        result: CartCheckoutResult = yield engine.client.carts.checkout(
            customer_id, cart_id, request_id=step.request_id
        )
        bought = purchased_lines(result, lines)
        if result.order_errors:
            error = result.order_errors[0]
            raise StepFailed(
                failure(
                    error.description or "Partner Center refused the order",
                    code=str(error.code) if error.code is not None else None,
                    request_id=step.request_id,
                    line_id=next((ln.line_id for ln in lines if ln.line_id not in bought), None),
                    error_type="OrderError",
                ),
                {"lines": bought},
            )
        missing = [line for line in lines if line.line_id not in bought]
        if missing:
            found = yield from _read_back(engine, customer_id, missing)
            if found is None:
                raise OutcomeUnknown("checked out, but not every subscription is visible yet")
            bought.update(found)
        return {"lines": bought}

    def read_back(step: Step) -> Program[dict[str, Any] | None]:
        found = yield from _read_back(engine, customer_id, lines)
        return None if found is None else {"lines": found}

    result = yield from engine.step_program(
        operation_id,
        key,
        "purchase",
        intent={**dict(note or {}), "lines": [line.line_id for line in lines]},
        send=send,
        read_back=read_back,
        explained=(CartAlreadySubmittedError,),
        owner=owner,
        context={"customer_id": customer_id, "actor": actor},
    )
    return dict(result["lines"])


def _read_back(
    engine: StepEngine[ClientT], customer_id: str, lines: Sequence[LinePlan]
) -> Program[dict[str, dict[str, Any]] | None]:
    """The subscriptions an earlier attempt bought for ``lines``, none claimed by another
    purchase; None while one is not visible yet (Partner Center provisions asynchronously)."""
    claimed = engine.ledger.purchased_subscriptions(engine.target)
    listed: list[Subscription] = yield engine.client.subscriptions.list(customer_id)
    found: dict[str, dict[str, Any]] = {}
    for line in lines:
        match = next((s for s in listed if s.id not in claimed and _bought_for(s, line)), None)
        if match is None:
            return None
        found[line.line_id] = {"subscription_id": match.id, "order_id": match.order_id}
        claimed.add(match.id)
    return found


def _cart_line(index: int, line: LinePlan) -> CartLineItem:
    return CartLineItem(
        id=index,
        catalog_item_id=line.offer_id,
        quantity=line.quantity,
        billing_cycle=line.billing_cycle.value,
        term_duration=line.term_duration.value if line.term_duration else None,
        friendly_name=line.instance_name,  # names a Dynamics instance
        participants=(
            [Participant(key="transaction_reseller", value=line.partner_id_on_record)]
            if line.partner_id_on_record
            else None
        ),
        provisioning_context=(
            {"ParentSubscriptionId": line.subscription_id}
            if line.action is LineAction.ADD_ON and line.subscription_id
            else None
        ),
        **line_terms(line.promotion_id, line.custom_term_end_date),
    )


def purchased_lines(
    result: CartCheckoutResult, lines: Sequence[LinePlan]
) -> dict[str, dict[str, Any]]:
    """Which subscription each cart line became, from checkout's answer.

    Partner Center documents each order line's ``lineItemNumber`` but not that it repeats the
    cart line's ``id``; the sandbox numbers them so. Unconfirmed, so this is the one place that
    relies on it: a number that does not fit falls back to the one unmatched line of the same
    offer and quantity, and a line still unmatched is read back.
    """
    bought: dict[str, dict[str, Any]] = {}
    for pc_order in result.orders:
        for item in pc_order.line_items:
            if not item.subscription_id:
                continue
            index = item.line_item_number
            line = lines[index] if 0 <= index < len(lines) else None
            if line is None or line.line_id in bought or line.offer_id != item.offer_id:
                line = next(
                    (
                        candidate
                        for candidate in lines
                        if candidate.line_id not in bought
                        and candidate.offer_id == item.offer_id
                        and candidate.quantity == item.quantity
                    ),
                    None,
                )
            if line is not None:
                bought[line.line_id] = {
                    "subscription_id": item.subscription_id,
                    "order_id": pc_order.id,
                }
    return bought


def _bought_for(subscription: Subscription, line: LinePlan) -> bool:
    return (
        subscription.offer_id == line.offer_id
        and subscription.quantity == line.quantity
        and (subscription.status or "active") != "deleted"
        and subscription.billing_cycle in (None, line.billing_cycle.value)
        and line.partner_id_on_record in (None, subscription.partner_id)
    )
