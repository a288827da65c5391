"""Partner-to-partner transfers of new-commerce subscriptions (``/v1/customers/{c}/transfers``).

The incoming (target) partner creates a transfer naming the customer's current (source)
partner; the source partner adds its subscriptions as line items and submits it
(``status: "Complete"``). ``transferType`` 5 is new commerce (3, ModernAzure, is the older
value; Microsoft asks partners to standardise on 5). The fields are Microsoft's
``TransferEntity`` and ``TransferLineItem``; that the source submits by a PATCH of the whole
transfer with its line items and ``status: "Complete"`` is how the pages describe it, without
a full example (unconfirmed: :func:`submitted` is the one place that builds it).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from csp_commerce.provisioning.wire._pc_model import PCModel

#: ``transferType`` of new-commerce transfers.
NEW_COMMERCE = 5
#: What a transfer moves; the library's transfers move new-commerce licences.
PRODUCT_TYPES = ("AzureSubscription", "AzureReservation", "AzureSavingsPlan", "OnlineServicesNCE")
ACTIVE = "Active"
COMPLETE = "Complete"


class TransferLineItem(PCModel):
    """One subscription the source partner moves."""

    id: int | None = None
    subscription_id: str
    quantity: int
    billing_cycle: str | None = None
    term_duration: str | None = None
    catalog_item_id: str | None = None
    friendly_name: str | None = None
    transfer_group_id: str | None = None


class Transfer(PCModel):
    """A transfer of a customer's subscriptions from one partner to another."""

    id: str
    status: str
    transfer_type: int | str | None = None
    customer_tenant_id: str | None = None
    customer_name: str | None = None
    customer_email_id: str | None = None
    source_partner_tenant_id: str | None = None
    source_partner_name: str | None = None
    target_partner_tenant_id: str | None = None
    target_partner_email_id: str | None = None
    target_product_types: list[str] = Field(default_factory=list)
    line_items: list[TransferLineItem] = Field(default_factory=list)
    created_time: str | None = None
    last_modified_time: str | None = None
    expiration_time: str | None = None
    completed_time: str | None = None

    @property
    def active(self) -> bool:
        """Whether the transfer can still be submitted or cancelled."""
        return self.status == ACTIVE


def submitted(transfer: Transfer, line_items: list[TransferLineItem]) -> dict[str, Any]:
    """The PATCH body that submits ``transfer`` with ``line_items`` (unconfirmed shape)."""
    return {
        **transfer.to_wire(),
        "lineItems": [item.to_wire() for item in line_items],
        "status": COMPLETE,
    }
