"""The host's checkout policy: the choices the seeds leave to each storefront."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from csp_commerce.models._base import Model
from csp_commerce.models.clouds import Cloud
from csp_commerce.models.end_of_term import EndOfTermAction
from csp_commerce.models.offer import BillingCycle


class DuplicatePolicy(str, Enum):
    """What a second Business-plan order for a billing cycle the customer already has becomes."""

    MERGE = "merge"  # more seats on the existing subscription (the default)
    REFUSE = "refuse"  # a Problem: the customer must change the existing subscription


class DynamicsPolicy(str, Enum):
    """What an order for a Dynamics 365 offer the customer already has becomes."""

    NEW_INSTANCE = "new_instance"  # a new subscription per order: one per instance
    ADD_LICENCES = "add_licences"  # more licences on the existing instance's subscription


class CheckoutSettings(Model):
    """The host's checkout policy. Every field has the default the seeds describe."""

    cloud: Cloud = Cloud.GLOBAL
    business_duplicates: DuplicatePolicy = DuplicatePolicy.MERGE
    dynamics_policy: DynamicsPolicy = DynamicsPolicy.NEW_INSTANCE
    dynamics_policy_by_offer: dict[str, DynamicsPolicy] = Field(
        default_factory=dict, description="Per offer id (or product id) overrides"
    )
    billing_cycles: frozenset[BillingCycle] = Field(
        default=frozenset({BillingCycle.MONTHLY, BillingCycle.ANNUAL}),
        description="The billing cycles the host has enabled in its BSS",
    )
    billing_cycles_by_product: dict[str, frozenset[BillingCycle]] = Field(
        default_factory=dict, description="Per product id overrides of billing_cycles"
    )
    end_of_term: EndOfTermAction = Field(
        default=EndOfTermAction.RENEW,
        description="What new subscriptions do at term end unless the order line says",
    )
    require_mca: bool = True
    partner_id: str | None = Field(
        default=None, description="The partner's own tenant id (for invitation links)"
    )

    def dynamics_policy_for(self, offer_id: str, product_id: str) -> DynamicsPolicy:
        """The Dynamics policy for an offer: its own override, its product's, or the default."""
        by_offer = self.dynamics_policy_by_offer
        return by_offer.get(offer_id) or by_offer.get(product_id) or self.dynamics_policy
