"""Partner-to-partner transfers of new-commerce subscriptions.

One partner is emulated, so a transfer is either *incoming* (this partner created it, naming
the customer's current partner: it waits for that partner) or *outgoing* (another partner asked
for the customer's subscriptions: :func:`request_outgoing`, the sandbox's stand-in for that
partner; this partner submits it with line items). Submitting moves the seats out: a whole
subscription leaves this partner's books, a partial line leaves fewer seats.

Partner Center's refusals: 404 / 1000 for an unknown transfer, 400 / 2000 for a malformed
body, 400 / 2002 for more seats than a subscription has, 403 / 2032 when this partner may not
submit it (it is the incoming partner), 409 / 900100 for a second active transfer from the
same partner, 400 / 900101 for a transfer that is no longer active (codes of the transfer
family 900100–900150 the reference lists without meanings: the sandbox's choice). An active
outgoing transfer holds the customer's subscriptions (``transfer_holds``): Microsoft's pack
says a pending transfer blocks other lifecycle writes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from csp_commerce.errors import EmulatedError
from csp_commerce.sandbox._http import (
    Context,
    Reply,
    Request,
    bad_request,
    collection,
    not_found,
    timestamp,
)
from csp_commerce.sandbox.customer_routes import customer_of

if TYPE_CHECKING:
    from csp_commerce.sandbox.state import JSON

TRANSFER_TYPES = (3, 5)  # ModernAzure, NewCommerce
PRODUCT_TYPES = ("AzureSubscription", "AzureReservation", "AzureSavingsPlan", "OnlineServicesNCE")
#: How long a transfer waits for the current partner (Microsoft: 30 days).
LIFETIME = timedelta(days=30)
DUPLICATE, NOT_ACTIVE = 900100, 900101


def _transfers(ctx: Context, customer_id: str) -> dict[str, JSON]:
    return ctx.world.transfers.setdefault(customer_id, {})


def transfer_holds(ctx: Context, customer_id: str) -> bool:
    """Whether an active outgoing transfer holds the customer's subscriptions."""
    partner = ctx.world.partner_tenant_id
    return any(
        t["status"] == "Active" and t["sourcePartnerTenantId"] == partner
        for t in ctx.world.transfers.get(customer_id, {}).values()
    )


def _transfer_type(value: object) -> int:
    try:
        number = int(str(value))
    except ValueError:
        number = -1
    if number not in TRANSFER_TYPES:
        raise bad_request("transferType must be 3 (ModernAzure) or 5 (NewCommerce).")
    return number


def _record(ctx: Context, customer_id: str, fields: dict[str, Any]) -> JSON:
    now = ctx.now()
    transfer: JSON = {
        "id": ctx.world.next_id(),
        "status": "Active",
        "customerTenantId": customer_id,
        "createdTime": timestamp(now),
        "lastModifiedTime": timestamp(now),
        "expirationTime": timestamp(now + LIFETIME),
        "completedTime": None,
        "lineItems": [],
        "attributes": {"objectType": "TransferEntity"},
        **fields,
    }
    transfers = _transfers(ctx, customer_id)
    source = transfer["sourcePartnerTenantId"]
    if any(t["status"] == "Active" and t["sourcePartnerTenantId"] == source
           for t in transfers.values()):  # fmt: skip
        raise EmulatedError(409, DUPLICATE, "An active transfer from this partner already exists.")
    transfers[transfer["id"]] = transfer
    return transfer


def list_transfers(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/transfers``."""
    customer = customer_of(ctx, req.params[0])
    return Reply(200, collection(list(_transfers(ctx, customer.id).values())))


def get_transfer(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/transfers/{t}``."""
    return Reply(200, _transfer(ctx, req.params[0], req.params[1]))


def _transfer(ctx: Context, customer_id: str, transfer_id: str) -> JSON:
    customer = customer_of(ctx, customer_id)
    transfer = _transfers(ctx, customer.id).get(transfer_id)
    if transfer is None:
        raise not_found(f"Transfer {transfer_id}")
    return transfer


def create_transfer(ctx: Context, req: Request) -> Reply:
    """``POST /v1/customers/{c}/transfers``: this partner asks for the customer's
    subscriptions from their current partner."""
    customer = customer_of(ctx, req.params[0])
    body = req.json_object()
    source = body.get("sourcePartnerTenantId")
    if not isinstance(source, str) or not source:
        raise bad_request("sourcePartnerTenantId is required.")
    if source == ctx.world.partner_tenant_id:
        raise bad_request("A partner cannot transfer subscriptions from itself.")
    email = body.get("customerEmailId")
    if not isinstance(email, str) or "@" not in email:
        raise bad_request("customerEmailId must be the customer's email address.")
    types = body.get("targetProductTypes") or ["OnlineServicesNCE"]
    if not isinstance(types, list) or any(t not in PRODUCT_TYPES for t in types):
        raise bad_request(f"targetProductTypes must be among {', '.join(PRODUCT_TYPES)}.")
    transfer = _record(
        ctx,
        customer.id,
        {
            "transferType": _transfer_type(body.get("transferType")),
            "customerName": body.get("customerName")
            or customer.customer.get("companyProfile", {}).get("companyName"),
            "customerEmailId": email,
            "sourcePartnerTenantId": source,
            "sourcePartnerName": body.get("sourcePartnerName"),
            "targetPartnerTenantId": ctx.world.partner_tenant_id,
            "targetPartnerEmailId": body.get("targetPartnerEmailId"),
            "targetProductTypes": types,
        },
    )
    return Reply(201, transfer)


def request_outgoing(
    ctx: Context, customer_id: str, target_tenant_id: str, target_name: str
) -> JSON:
    """Another partner asks for this partner's subscriptions of the customer (the sandbox's
    stand-in for that partner's ``POST``)."""
    customer = customer_of(ctx, customer_id)
    return _record(
        ctx,
        customer.id,
        {
            "transferType": 5,
            "customerName": customer.customer.get("companyProfile", {}).get("companyName"),
            "customerEmailId": customer.customer.get("billingProfile", {}).get("email"),
            "sourcePartnerTenantId": ctx.world.partner_tenant_id,
            "sourcePartnerName": ctx.world.partner_name,
            "targetPartnerTenantId": target_tenant_id,
            "targetPartnerName": target_name,
            "targetPartnerEmailId": None,
            "targetProductTypes": ["OnlineServicesNCE"],
        },
    )


def update_transfer(ctx: Context, req: Request) -> Reply:
    """``PATCH /v1/customers/{c}/transfers/{t}``: this (current) partner submits the transfer
    with its line items (``status: "Complete"``)."""
    customer = customer_of(ctx, req.params[0])
    transfer = _transfer(ctx, customer.id, req.params[1])
    body = req.json_object()
    if transfer["status"] != "Active":
        raise bad_request(f"The transfer is {transfer['status']}; it cannot change.", NOT_ACTIVE)
    if transfer["sourcePartnerTenantId"] != ctx.world.partner_tenant_id:
        raise EmulatedError(403, 2032, "Only the customer's current partner submits a transfer.")
    if body.get("status") != "Complete":
        raise bad_request('status must be "Complete" to submit the transfer.')
    lines = body.get("lineItems")
    if not isinstance(lines, list) or not lines:
        raise bad_request("lineItems must name the subscriptions to transfer.")
    moves: list[tuple[JSON, int]] = []
    for number, raw in enumerate(lines):
        if not isinstance(raw, dict):
            raise bad_request("Each line item must be an object.")
        subscription = customer.subscriptions.get(str(raw.get("subscriptionId")))
        if subscription is None or subscription["status"] != "active":
            raise bad_request(f"Line item {number}: the subscription is not an active one.")
        quantity = raw.get("quantity")
        if not isinstance(quantity, int) or not 1 <= quantity <= subscription["quantity"]:
            raise bad_request(
                f"Line item {number}: the subscription has {subscription['quantity']} seats.",
                code=2002,
            )
        moves.append((subscription, quantity))
    items = []
    for number, (subscription, quantity) in enumerate(moves):
        items.append(
            {
                "id": number,
                "subscriptionId": subscription["id"],
                "quantity": quantity,
                "billingCycle": subscription["billingCycle"],
                "termDuration": subscription["termDuration"],
                "catalogItemId": subscription["offerId"],
                "friendlyName": subscription["friendlyName"],
                "transferGroupId": None,
            }
        )
        if quantity == subscription["quantity"]:
            del customer.subscriptions[subscription["id"]]  # now the other partner's
        else:
            subscription["quantity"] -= quantity
            subscription["attributes"]["etag"] = ctx.world.next_etag()
    now = timestamp(ctx.now())
    transfer.update(lineItems=items, status="Complete", completedTime=now, lastModifiedTime=now)
    return Reply(200, transfer)


__all__ = [
    "create_transfer",
    "get_transfer",
    "list_transfers",
    "request_outgoing",
    "transfer_holds",
    "update_transfer",
]
