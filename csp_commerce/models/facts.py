"""The facts a checkout judges by, gathered from Partner Center before any rule runs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING

from pydantic import Field

from csp_commerce.models._base import Model
from csp_commerce.models.agreement import McaAcceptance
from csp_commerce.models.customer import Qualification
from csp_commerce.models.offer import BillingCycle, TermDuration

if TYPE_CHECKING:
    from csp_commerce.models.order import OrderLine


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


class PromotionFact(Model):
    """A promotion of an order line's offer on one plan (term and billing cycle), and whether
    Partner Center says the customer may have it there (``reasons``: its error types when not,
    e.g. ``SeatCount``, ``OfferPurchasedPreviously``)."""

    line_id: str
    promotion_id: str
    name: str | None = None
    term_duration: TermDuration
    billing_cycle: BillingCycle
    discount: Decimal = Field(gt=0, lt=1, description="The share taken off: 0.15 is 15 % off")
    eligible: bool
    reasons: tuple[str, ...] = ()


class CheckoutFacts(Model):
    """Everything the checkout rules judge by. Rules never fetch: the gatherer fills this."""

    subscriptions: tuple[SubscriptionFact, ...] = ()
    qualifications: tuple[QualificationFact, ...] = ()
    mca: McaFacts = McaFacts()
    tenant: TenantFacts = TenantFacts()
    resellers: dict[str, ResellerFacts] = Field(default_factory=dict)
    promotions: tuple[PromotionFact, ...] = Field(
        default=(), description="The promotions of the order's new-commerce lines, by plan"
    )
    term_end_dates: dict[TermDuration, tuple[date, ...]] = Field(
        default_factory=dict,
        description="The end dates a new subscription of each term may have (co-termination)",
    )

    def promotion_for(self, line: OrderLine) -> PromotionFact | None:
        """The promotion ``line`` is bought with: of the customer's eligible promotions on
        exactly the line's term and billing cycle, the largest discount. None for seats added to
        an existing subscription (a promotion comes with a purchase) or a line without a term.
        """
        if line.subscription_id is not None or line.term_duration is None:
            return None
        found = [
            fact
            for fact in self.promotions
            if fact.line_id == line.id
            and fact.eligible
            and fact.term_duration is line.term_duration
            and fact.billing_cycle is line.billing_cycle
        ]
        return max(found, key=lambda fact: (fact.discount, fact.promotion_id), default=None)

    def approved(self, qualification: Qualification) -> bool:
        """Whether the customer holds ``qualification`` with Microsoft's approval."""
        return any(
            fact.qualification is qualification and fact.vetting_status is VettingStatus.APPROVED
            for fact in self.qualifications
        )
