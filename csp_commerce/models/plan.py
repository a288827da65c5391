"""What a checkout decides: per line, what to provision; for the order, the verdict."""

from __future__ import annotations

from datetime import date
from enum import Enum

from pydantic import Field

from csp_commerce.models._base import Model
from csp_commerce.models.end_of_term import EndOfTermAction
from csp_commerce.models.offer import BillingCycle, TermDuration
from csp_commerce.models.problem import Problem


class LineAction(str, Enum):
    """What provisioning does for one order line."""

    NEW_SUBSCRIPTION = "new_subscription"
    ADD_QUANTITY = "add_quantity"  # more seats on an existing subscription
    ADD_ON = "add_on"  # an add-on on an existing subscription


class LinePlan(Model):
    """The plan for one order line."""

    line_id: str
    action: LineAction
    offer_id: str
    quantity: int = Field(ge=1)
    billing_cycle: BillingCycle
    term_duration: TermDuration | None = None
    subscription_id: str | None = Field(
        default=None, description="The subscription to add to (ADD_QUANTITY / ADD_ON)"
    )
    partner_id_on_record: str | None = Field(
        default=None, description="The ordering reseller's partner id (indirect orders only)"
    )
    parent_line_id: str | None = Field(
        default=None, description="ADD_ON: the earlier line whose new subscription it goes on"
    )
    instance_name: str | None = Field(
        default=None,
        description="Dynamics: the instance a new subscription is for (its friendly name)",
    )
    reason: str | None = Field(default=None, description="Why this action, for the storefront")
    end_of_term: EndOfTermAction | None = Field(
        default=None,
        description="New subscriptions: the end-of-term action set right after the purchase",
    )
    promotion_id: str | None = Field(
        default=None, description="The promotion the purchase carries (cart line promotionId)"
    )
    custom_term_end_date: date | None = Field(
        default=None, description="New subscriptions: the co-terminated end date (cart line)"
    )


class BillingOptions(Model):
    """The billing cycles and terms an offer may be bought with, here and now."""

    billing_cycles: frozenset[BillingCycle]
    term_durations: frozenset[TermDuration]
    reason: str | None = None


class TenantAction(str, Enum):
    """What must happen with the customer's Microsoft tenant."""

    CREATE = "create"  # a new tenant (and its domain) is created with the customer
    USE_EXISTING = "use_existing"  # the partner already has a relationship with the tenant
    NEEDS_INVITATION = "needs_invitation"  # the tenant's admin must accept the relationship first


class TenantResolution(Model):
    """How the order reaches a tenant, and (if needed) the invitation to send."""

    action: TenantAction
    tenant_id: str | None = None
    domain: str | None = None
    invitation_url: str | None = None
    problems: tuple[Problem, ...] = ()


class ApprovalDecision(Model):
    """The host's verdict on a valid order: approved now, or held for a person."""

    approved: bool
    reason: str | None = None
    held_by: str | None = None


class CheckoutPlan(Model):
    """Everything to provision for a valid, approved order."""

    order_id: str
    tenant: TenantResolution
    lines: tuple[LinePlan, ...]
