"""Partner-to-partner transfers of new-commerce subscriptions, written through the step engine.

* :func:`list_transfers`: the customer's transfers, incoming and outgoing.
* :func:`create_transfer`: this partner (the incoming one) asks the customer's current partner
  for its new-commerce subscriptions (``transferType`` 5).
* :func:`accept_transfer`: this partner (the current one) submits a transfer another partner
  created, with the subscriptions (and seats) it moves.

The customer's mistakes are Problems before any request. Each write is one recorded step with
its MS-RequestId; a lost answer is sent again under it, and a refused repeat is read back: a
second create is refused while the first is active (409), so the transfers are listed and the
one new since the step was planned is the step's; a second submit is refused once the transfer
is complete (400), so the transfer is read and a complete one is the step's result.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from csp_commerce.errors import NotFoundError, StepFailed
from csp_commerce.fulfilment.engine import StepEngine
from csp_commerce.fulfilment.transitions import transfer_step
from csp_commerce.models._base import Model
from csp_commerce.models.catalogue.limits_codes import SUBSCRIPTION_NOT_FOUND
from csp_commerce.models.catalogue.upgrades_codes import (
    TRANSFER_EMAIL_INVALID,
    TRANSFER_INCOMING,
    TRANSFER_NO_LINES,
    TRANSFER_NOT_ACTIVE,
    TRANSFER_QUANTITY_OVER_SEATS,
    TRANSFER_REFUSED,
    TRANSFER_SOURCE_PARTNER_INVALID,
)
from csp_commerce.models.problem import Problem
from csp_commerce.provisioning.wire.transfers import (
    COMPLETE,
    NEW_COMMERCE,
    Transfer,
    TransferLineItem,
    submitted,
)
from csp_commerce.store.ledger import StepStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

    from csp_commerce.provisioning import PartnerCenterClient
    from csp_commerce.store.ledger import Ledger, Step

_KEY = "transfer"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class TransferResult(Model):
    """The outcome of a transfer write. ``problems`` empty: done (``transfer`` as it now
    stands); ``replayed``: the operation id had run before, nothing new was done."""

    customer_id: str
    operation_id: str
    request_id: str | None = None
    replayed: bool = False
    transfer: Transfer | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the transfer was created or submitted."""
        return not self.problems


def list_transfers(client: PartnerCenterClient, customer_id: str) -> list[Transfer]:
    """The customer's transfers (incoming and outgoing, active and complete)."""
    return list(client.transfers.list(customer_id))


def _own_tenant(client: PartnerCenterClient) -> str | None:
    tenant = getattr(client.credential, "tenant_id", None)
    return str(tenant).lower() if tenant else None


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def create_transfer(
    client: PartnerCenterClient,
    ledger: Ledger,
    customer_id: str,
    *,
    source_partner_tenant_id: str,
    source_partner_name: str,
    customer_email: str,
    customer_name: str | None = None,
    target_partner_email: str | None = None,
    product_types: Sequence[str] = ("OnlineServicesNCE",),
    operation_id: str | None = None,
    actor: str | None = None,
) -> TransferResult:
    """Ask the customer's current partner for its new-commerce subscriptions, exactly once."""
    operation_id = operation_id or str(uuid.uuid4())
    base: dict[str, Any] = {"customer_id": customer_id, "operation_id": operation_id}
    problems: list[Problem] = []
    source = source_partner_tenant_id.strip()
    if not _is_guid(source) or source.lower() == _own_tenant(client):
        problems.append(TRANSFER_SOURCE_PARTNER_INVALID(value=source_partner_tenant_id))
    if not _EMAIL.fullmatch(customer_email.strip()):
        problems.append(TRANSFER_EMAIL_INVALID(value=customer_email))
    if problems:
        return TransferResult(**base, problems=tuple(problems))
    body = {
        "sourcePartnerTenantId": source,
        "sourcePartnerName": source_partner_name,
        "customerEmailId": customer_email.strip(),
        "customerName": customer_name,
        "targetPartnerEmailId": target_partner_email,
        "targetProductTypes": list(product_types),
        "transferType": NEW_COMMERCE,
    }
    body = {key: value for key, value in body.items() if value is not None}

    def plan() -> dict[str, Any]:
        seen = [t.id for t in client.transfers.list(customer_id)]
        return {"operation": "create_transfer", "body": body, "seen": seen}

    def send(step: Step) -> dict[str, Any]:
        made = client.transfers.create(customer_id, step.intent["body"], request_id=step.request_id)
        return {"transfer": made.to_wire()}

    def find(step: Step) -> dict[str, Any] | None:
        wanted, seen = step.intent["body"], set(step.intent["seen"])
        for transfer in client.transfers.list(customer_id):
            if (
                transfer.id not in seen
                and transfer.source_partner_tenant_id == wanted["sourcePartnerTenantId"]
                and transfer.customer_email_id == wanted["customerEmailId"]
            ):
                return {"transfer": transfer.to_wire()}
        return None

    return _run(client, ledger, base, "create_transfer", plan, send, find, actor)


def accept_transfer(
    client: PartnerCenterClient,
    ledger: Ledger,
    customer_id: str,
    transfer_id: str,
    subscriptions: Sequence[tuple[str, int | None]],
    *,
    operation_id: str | None = None,
    actor: str | None = None,
) -> TransferResult:
    """Submit a transfer another partner created, moving ``subscriptions`` (id, seats; None:
    all), exactly once. Only the customer's current partner submits."""
    operation_id = operation_id or str(uuid.uuid4())
    base: dict[str, Any] = {"customer_id": customer_id, "operation_id": operation_id}
    recorded = ledger.get_step(operation_id, _KEY)
    lines: list[TransferLineItem] = []
    current: Transfer | None = None
    if recorded is None:  # a new step: judge it (a recorded one is sent as recorded)
        try:
            current = client.transfers.get(customer_id, transfer_id)
        except NotFoundError:
            reason = f"there is no transfer {transfer_id} for this customer"
            return TransferResult(**base, problems=(TRANSFER_REFUSED(reason=reason),))
        problems = _judge(client, customer_id, current, subscriptions, lines)
        if problems:
            return TransferResult(**base, transfer=current, problems=tuple(problems))

    def plan() -> dict[str, Any]:
        assert current is not None
        return {
            "operation": "accept_transfer",
            "transfer_id": transfer_id,
            "body": submitted(current, lines),
        }

    def send(step: Step) -> dict[str, Any]:
        made = client.transfers.update(
            customer_id, transfer_id, step.intent["body"], request_id=step.request_id
        )
        return {"transfer": made.to_wire()}

    def find(step: Step) -> dict[str, Any] | None:
        now = client.transfers.get(customer_id, transfer_id)
        return {"transfer": now.to_wire()} if now.status == COMPLETE else None

    return _run(client, ledger, base, "accept_transfer", plan, send, find, actor)


def _judge(
    client: PartnerCenterClient,
    customer_id: str,
    transfer: Transfer,
    subscriptions: Sequence[tuple[str, int | None]],
    lines: list[TransferLineItem],
) -> list[Problem]:
    """The mistakes found before a submit; fills ``lines`` with what is moved."""
    if not transfer.active:
        return [TRANSFER_NOT_ACTIVE(transfer_id=transfer.id, status=transfer.status)]
    own = _own_tenant(client)  # unknown for some credentials: then Partner Center judges
    source = (transfer.source_partner_tenant_id or "").lower()
    if own and _is_guid(own) and source != own:
        return [TRANSFER_INCOMING(transfer_id=transfer.id)]
    if not subscriptions:
        return [TRANSFER_NO_LINES()]
    problems: list[Problem] = []
    for number, (subscription_id, quantity) in enumerate(subscriptions):
        try:
            held = client.subscriptions.get(customer_id, subscription_id)
        except NotFoundError:
            problems.append(
                SUBSCRIPTION_NOT_FOUND(field="subscriptions", subscription_id=subscription_id)
            )
            continue
        seats = held.quantity if quantity is None else quantity
        if seats < 1 or seats > held.quantity:
            problems.append(
                TRANSFER_QUANTITY_OVER_SEATS(
                    subscription_id=subscription_id, seats=held.quantity, quantity=seats
                )
            )
            continue
        lines.append(
            TransferLineItem(
                id=number,
                subscription_id=subscription_id,
                quantity=seats,
                billing_cycle=held.billing_cycle,
                term_duration=held.term_duration,
                catalog_item_id=held.offer_id,
                friendly_name=held.friendly_name,
            )
        )
    return problems


def _run(
    client: PartnerCenterClient,
    ledger: Ledger,
    base: dict[str, Any],
    kind: str,
    plan: Any,
    send: Any,
    find: Any,
    actor: str | None,
) -> TransferResult:
    engine = StepEngine(client, ledger)
    operation_id = base["operation_id"]
    before = ledger.get_step(operation_id, _KEY)
    replayed = before is not None and before.status is not StepStatus.SENT
    try:
        result = transfer_step(
            engine,
            operation_id,
            _KEY,
            kind,
            base["customer_id"],
            intent=plan,
            send=send,
            find=find,
            actor=actor,
        )
    except StepFailed as failed:
        step = ledger.get_step(operation_id, _KEY)
        code = failed.detail.code
        reason = f"{code}: {failed.detail.message}" if code else failed.detail.message
        return TransferResult(
            **base,
            request_id=step.request_id if step else None,
            replayed=replayed,
            problems=(TRANSFER_REFUSED(reason=reason),),
        )
    step = ledger.get_step(operation_id, _KEY)
    assert step is not None  # the engine recorded it
    return TransferResult(
        **base,
        request_id=step.request_id,
        replayed=replayed or step.attempts > 1,
        transfer=Transfer.model_validate(result["transfer"]),
    )
