"""The history of a subscription, read from the ledger: who asked for what, when, and the
MS-RequestId it was sent with."""

from __future__ import annotations

from datetime import datetime, timezone
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


def summary_of(step: Step) -> str:
    """What the step did to the subscription, in a few words."""
    intent = step.intent
    previous = intent.get("previous") or intent.get("subscription") or {}
    changes = intent.get("changes") or {}
    kind = intent.get("operation", step.kind)
    if kind == "set_quantity":
        target = intent.get("quantity", changes.get("quantity"))
        before = previous.get("quantity")
        return f"quantity {before} -> {target}" if before is not None else f"quantity {target}"
    if kind == "suspend":
        return "suspended"
    if kind == "reactivate":
        return "reactivated"
    if kind == "cancel":
        return "cancelled"
    if kind == "set_auto_renew":
        enabled = intent.get("auto_renew", changes.get("autoRenewEnabled"))
        return "auto-renew " + ("on" if enabled else "off")
    if kind == "buy_addon":
        return f"add-on {intent.get('offer_id')} x{intent.get('quantity')}"
    if kind == "purchase":
        return "purchased (order)"
    if kind == "upgrade":
        seats = intent.get("quantity")
        return f"upgrade {'all' if seats is None else seats} seats to {intent.get('target')}"
    return str(kind).replace("_", " ")


def history_entry(step: Step, subscription_id: str) -> HistoryEntry:
    """The history line of one recorded step that bought or changed the subscription."""
    from_order = step.key != "change"
    error = step.error or {}
    return HistoryEntry(
        subscription_id=subscription_id,
        operation=str(step.intent.get("operation", step.kind)),
        summary=summary_of(step),
        status=step.status.value,
        request_id=step.request_id,
        operation_id=step.operation_id,
        actor=step.actor or ("checkout" if from_order else None),
        requested_at=step.intent.get("requested_at") or _iso(step.created_at),
        finished_at=None if step.status.value == "sent" else _iso(step.updated_at),
        order_id=step.operation_id if from_order else None,
        error=error.get("message"),
    )


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")
