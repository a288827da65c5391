"""Subscriptions and the SKUs a customer has licences for."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from csp_commerce.models.wire_enums import (
    ActionTypeField,
    BillingCycleField,
    BillingTypeField,
    ProvisioningStateField,
    ScheduledTypeField,
    SubscriptionStatusField,
    TermField,
)
from csp_commerce.provisioning.wire._pc_model import Attributes, PCModel


class NextTermProduct(PCModel):
    """The product a subscription renews into (``scheduledNextTermInstructions.product``)."""

    product_id: str | None = None
    sku_id: str | None = None
    availability_id: str | None = None
    billing_cycle: BillingCycleField | None = None
    term_duration: TermField | None = None
    promotion_id: str | None = None


class NextTermInstructions(PCModel):
    """What the next term is: product, quantity, optional co-terminated end date."""

    product: NextTermProduct | None = None
    quantity: int | None = None
    custom_term_end_date: str | None = None


class ScheduledAction(PCModel):
    """One ``scheduledActions`` entry: what happens at ``scheduledType`` (``TermEnd``)."""

    scheduled_type: ScheduledTypeField | None = None
    action_type: ActionTypeField | None = None
    instructions: NextTermInstructions | None = None


class Subscription(PCModel):
    """A subscription, as read. Written back whole (with changes) on PATCH."""

    id: str
    offer_id: str | None = None
    offer_name: str | None = None
    friendly_name: str | None = None
    quantity: int = 0
    status: SubscriptionStatusField | None = None
    billing_cycle: BillingCycleField | None = None
    term_duration: TermField | None = None
    renewal_term_duration: TermField | None = None
    billing_type: BillingTypeField | None = None
    product_type: dict[str, Any] | None = None
    auto_renew_enabled: bool | None = None
    partner_id: str | None = None
    order_id: str | None = None
    parent_subscription_id: str | None = None
    creation_date: str | None = None
    effective_start_date: str | None = None
    commitment_end_date: str | None = None
    cancellation_allowed_until_date: str | None = None
    migrated_from_subscription_id: str | None = None
    scheduled_next_term_instructions: NextTermInstructions | None = None
    scheduled_actions: list[ScheduledAction] | None = None
    attention_needed: bool | None = None
    action_taken: str | None = None
    promotion_id: str | None = None
    attributes: Attributes | None = None

    # Only on a subscription bought with a promotion.
    conditional_fields = frozenset({"promotionId"})

    @property
    def etag(self) -> str | None:
        """The etag to send as ``If-Match`` when changing it."""
        return self.attributes.etag if self.attributes is not None else None


class SubscriptionProvisioningStatus(PCModel):
    """Whether a subscription's licences are provisioned: ``status`` is ``success``,
    ``pending`` or ``failed``; ``sku_id`` is the product SKU's id."""

    sku_id: str | None = None
    status: ProvisioningStateField | None = None
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
