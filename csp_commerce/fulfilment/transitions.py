"""Upgrades (transitions) and transfer writes as steps of the one step engine.

A transition has no etag that would make a forgotten repeat fail: a resend whose first attempt
Partner Center applied but no longer remembers could move seats twice (a partial upgrade
leaves seats to move). So the step records the transitions already made from the subscription
when it is planned (under the subscription's lock), and before any *resend* it reads the
transition list: a new transition to the same target with the same seats is the step's own,
and nothing is sent. Only when there is none is the request sent again, under the recorded
MS-RequestId (Partner Center replays an answer it remembers). A refused repeat is read back the
same way; not there, the refusal stands — never guessed.

Transfers are written the same way (``transfer_step``): the caller says how to read back what
the write would have made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csp_commerce.errors import BadRequestError, ConflictError, PartnerCenterClientError, StepFailed
from csp_commerce.fulfilment.engine import failure

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from csp_commerce.fulfilment.engine import StepEngine
    from csp_commerce.provisioning.wire.transitions import Transition
    from csp_commerce.store.ledger import Step


def transition(
    engine: StepEngine,
    operation_id: str,
    key: str,
    customer_id: str,
    subscription_id: str,
    request: Mapping[str, Any],
    *,
    lock_name: str,
    actor: str | None = None,
    note: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Send one transition of the subscription (``request``: the keyword arguments of
    ``client.transitions.create``) as a step, holding its lock; returns ``{"transition": ...}``
    as Partner Center answered or as read back."""

    def made(step: Step) -> Transition | None:
        seen = set(step.intent.get("seen", ()))
        wanted = step.intent["request"]
        for done in engine.client.transitions.list(customer_id, subscription_id):
            if (
                done.id not in seen
                and done.to_catalog_item_id == wanted["to_catalog_item_id"]
                and done.quantity == wanted["quantity"]
            ):
                return done
        return None

    def plan() -> dict[str, Any]:
        seen = [t.id for t in engine.client.transitions.list(customer_id, subscription_id)]
        return {**dict(note or {}), "request": dict(request), "seen": seen}

    def send(step: Step) -> dict[str, Any]:
        if step.attempts > 1:
            found = made(step)
            if found is not None:
                return {"transition": found.to_wire(), "read_back": True}
        answer = engine.client.transitions.create(
            customer_id, subscription_id, **step.intent["request"], request_id=step.request_id
        )
        return {"transition": answer.to_wire()}

    def find(step: Step) -> dict[str, Any] | None:
        found = made(step)
        return None if found is None else {"transition": found.to_wire()}

    return _write(
        engine,
        operation_id,
        key,
        "upgrade",
        "transition",
        intent=plan,
        send=send,
        find=find,
        lock_name=lock_name,
        context={"customer_id": customer_id, "subscription_id": subscription_id, "actor": actor},
    )


def transfer_step(
    engine: StepEngine,
    operation_id: str,
    key: str,
    kind: str,
    customer_id: str,
    *,
    intent: Callable[[], dict[str, Any]],
    send: Callable[[Step], dict[str, Any]],
    find: Callable[[Step], dict[str, Any] | None],
    actor: str | None = None,
) -> dict[str, Any]:
    """Write a transfer as a step: ``intent`` planned once (a new step only), ``send`` with the
    step's request id; a refused repeat (400, 409) is resolved by ``find`` (what the write made,
    or None: the refusal stands)."""
    return _write(
        engine,
        operation_id,
        key,
        kind,
        "transfer",
        intent=intent,
        send=send,
        find=find,
        context={"customer_id": customer_id, "actor": actor},
    )


def _write(
    engine: StepEngine,
    operation_id: str,
    key: str,
    kind: str,
    what: str,
    *,
    intent: Callable[[], dict[str, Any]],
    send: Callable[[Step], dict[str, Any]],
    find: Callable[[Step], dict[str, Any] | None],
    lock_name: str | None = None,
    context: Mapping[str, str | None],
) -> dict[str, Any]:
    """One step whose refused repeat (400, 409) is read back by ``find``: found, it is the
    step's result; not there, Partner Center's refusal stands (the last one seen)."""
    refused: list[PartnerCenterClientError] = []

    def sending(step: Step) -> dict[str, Any]:
        try:
            return send(step)
        except (BadRequestError, ConflictError) as error:
            refused.append(error)
            raise

    def read_back(step: Step) -> dict[str, Any] | None:
        found = find(step)
        if found is not None:
            return found
        error = refused[-1] if refused else None
        raise StepFailed(
            failure(
                str(error) if error else f"Partner Center refused the {what} again",
                code=None if error is None or error.code is None else str(error.code),
                request_id=step.request_id,
                error_type=type(error).__name__ if error else "BadRequestError",
            )
        )

    return engine.step(
        operation_id,
        key,
        kind,
        intent=intent,
        send=sending,
        read_back=read_back,
        explained=(BadRequestError, ConflictError),
        lock_name=lock_name,
        context=context,
    )
