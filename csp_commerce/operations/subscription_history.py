"""The history of a subscription, read from the ledger: who asked for what, when, and the
MS-RequestId it was sent with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from csp_commerce.models._base import Model

if TYPE_CHECKING:
    from csp_commerce.store.ledger import Step


class HistoryEntry(Model):
    """One recorded change of a subscription: who asked, when, what, and its request id."""

    subscription_id: str
    operation: str
    summary: str
    status: str
    request_id: str
    operation_id: str
    actor: str | None = None
    requested_at: str | None = None
    finished_at: str | None = None
    order_id: str | None = Field(default=None, description="The checkout order, if from one")
    error: str | None = None


def group_of(customer_id: str, subscription_id: str) -> str:
    """The ledger group of a subscription's changes."""
    return f"subscription:{customer_id}:{subscription_id}"


def concerns(step: Step, subscription_id: str) -> bool:
    if step.intent.get("subscription_id") == subscription_id:
        return True
    return bool(step.result and step.result.get("subscription_id") == subscription_id)


def summary_of(step: Step) -> str:
    intent = step.intent
    previous = intent.get("previous") or {}
    kind = intent.get("operation", step.kind)
    if kind == "set_quantity":
        target = intent.get("quantity", intent.get("target"))
        before = previous.get("quantity", intent.get("original"))
        return f"quantity {before} -> {target}" if before is not None else f"quantity {target}"
    if kind == "suspend":
        return "suspended"
    if kind == "reactivate":
        return "reactivated"
    if kind == "cancel":
        return "cancelled"
    if kind == "set_auto_renew":
        return "auto-renew " + ("on" if intent.get("auto_renew") else "off")
    if kind == "buy_addon":
        return f"add-on {intent.get('offer_id')} x{intent.get('quantity')}"
    if kind == "checkout":
        return "purchased (checkout)"
    return str(kind).replace("_", " ")


def history_entry(step: Step, subscription_id: str, *, order_id: str | None) -> HistoryEntry:
    result = step.result or {}
    error = step.error or {}
    return HistoryEntry(
        subscription_id=subscription_id,
        operation=str(step.intent.get("operation", step.kind)),
        summary=summary_of(step),
        status=step.status.value,
        request_id=step.request_id,
        operation_id=step.key,
        actor=step.intent.get("actor") or ("checkout" if order_id else None),
        requested_at=step.intent.get("requested_at"),
        finished_at=result.get("finished_at") or error.get("finished_at"),
        order_id=order_id,
        error=error.get("message"),
    )
