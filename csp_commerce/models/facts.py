"""The facts a checkout judges by, gathered from Partner Center before any rule runs."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from csp_commerce.models._base import Model
from csp_commerce.models.agreement import McaAcceptance
from csp_commerce.models.customer import Qualification
from csp_commerce.models.offer import BillingCycle, TermDuration


class VettingStatus(str, Enum):
    """Where Microsoft's review of a qualification stands."""

    IN_REVIEW = "InReview"
    APPROVED = "Approved"
    DENIED = "Denied"


class QualificationFact(Model):
    """A qualification the customer holds or has applied for."""

    qualification: Qualification
    vetting_status: VettingStatus = VettingStatus.APPROVED
    vetting_reason: str | None = None


class SubscriptionFact(Model):
    """A subscription the customer already has (only live ones count for limits)."""

    id: str
    offer_id: str
    product_id: str
    billing_cycle: BillingCycle
    quantity: int = Field(ge=0)
    status: str = "active"
    partner_id_on_record: str | None = None
    instance_name: str | None = None
    term_duration: TermDuration | None = None

    @property
    def is_live(self) -> bool:
        """Whether it still counts against limits (active, pending or suspended)."""
        return self.status.lower() in {"active", "pending", "suspended"}


class Relationship(str, Enum):
    """The partner's relationship to a customer tenant (Partner Center's names)."""

    NONE = "none"
    RESELLER = "reseller"
    ADVISOR = "advisor"


class TenantFacts(Model):
    """What is known about the customer's Microsoft tenant.

    ``exists`` is False for a new customer that needs a new tenant; ``domain_available`` then says
    whether the wanted ``.onmicrosoft.com`` domain is free.
    """

    exists: bool = False
    tenant_id: str | None = None
    domain: str | None = None
    domain_available: bool | None = None
    relationship: Relationship = Relationship.NONE
    relationship_request_url: str | None = None


class ResellerFacts(Model):
    """What Partner Center says about an indirect reseller."""

    partner_id: str
    mpn_valid: bool = False
    mpa_signed: bool = False
    related: bool = Field(default=True, description="Has a relationship with the provider")


class McaFacts(Model):
    """Whether the customer's MCA acceptance is on record (ours or Partner Center's)."""

    accepted: bool = False
    acceptance: McaAcceptance | None = None
    on_record: bool = Field(
        default=False,
        description="Partner Center itself has the acceptance: placing confirms nothing more",
    )


class CheckoutFacts(Model):
    """Everything the checkout rules judge by. Rules never fetch: the gatherer fills this."""

    subscriptions: tuple[SubscriptionFact, ...] = ()
    qualifications: tuple[QualificationFact, ...] = ()
    mca: McaFacts = McaFacts()
    tenant: TenantFacts = TenantFacts()
    resellers: dict[str, ResellerFacts] = Field(default_factory=dict)

    def approved(self, qualification: Qualification) -> bool:
        """Whether the customer holds ``qualification`` with Microsoft's approval."""
        return any(
            fact.qualification is qualification and fact.vetting_status is VettingStatus.APPROVED
            for fact in self.qualifications
        )
