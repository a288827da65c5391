"""Subscriptions and the SKUs a customer has licences for."""

from __future__ import annotations

from pydantic import Field

from csp_commerce.provisioning.wire._pc_model import Attributes, PCModel


class Subscription(PCModel):
    """A subscription, as read. Written back whole (with changes) on PATCH."""

    id: str
    offer_id: str | None = None
    offer_name: str | None = None
    friendly_name: str | None = None
    quantity: int = 0
    status: str | None = None
    billing_cycle: str | None = None
    term_duration: str | None = None
    auto_renew_enabled: bool | None = None
    partner_id: str | None = None
    order_id: str | None = None
    parent_subscription_id: str | None = None
    creation_date: str | None = None
    commitment_end_date: str | None = None
    cancellation_allowed_until_date: str | None = None
    attention_needed: bool | None = None
    action_taken: str | None = None
    attributes: Attributes | None = None

    @property
    def etag(self) -> str | None:
        """The etag to send as ``If-Match`` when changing it."""
        return self.attributes.etag if self.attributes is not None else None


class SubscriptionProvisioningStatus(PCModel):
    """Whether a subscription's licences are provisioned: ``status`` is ``success``,
    ``pending`` or ``failed``; ``sku_id`` is the product SKU's id."""

    sku_id: str | None = None
    status: str | None = None
    quantity: int | None = None
    end_date: str | None = None
    attributes: Attributes | None = None


class ProductSku(PCModel):
    """The SKU a subscribed SKU is for."""

    id: str
    name: str | None = None
    sku_part_number: str | None = None


class SubscribedSku(PCModel):
    """Licence counts of one SKU on the customer's tenant."""

    # Older answers; current ones carry capabilityStatus.
    conditional_fields = frozenset({"status"})

    available_units: int = 0
    active_units: int = 0
    consumed_units: int = 0
    total_units: int = 0
    suspended_units: int | None = None
    warning_units: int | None = None
    product_sku: ProductSku
    status: str | None = None
    capability_status: str | None = None
    service_plans: list[dict[str, object]] = Field(default_factory=list)
