"""The domain models (pydantic v2): one module per noun."""

from __future__ import annotations

from csp_commerce.models.address import Address
from csp_commerce.models.agreement import AcceptanceSource, McaAcceptance
from csp_commerce.models.customer import CompanyProfile, Contact, Customer, Qualification, Reseller
from csp_commerce.models.discovery import (
    DiscoveredCustomer,
    DiscoveredInvoice,
    DiscoveredInvoiceLine,
    DiscoveredSubscription,
    DiscoveryCounts,
    DiscoveryRun,
    DiscoveryState,
)
from csp_commerce.models.facts import (
    CheckoutFacts,
    McaFacts,
    PromotionFact,
    QualificationFact,
    Relationship,
    ResellerFacts,
    SubscriptionFact,
    TenantFacts,
    VettingStatus,
)
from csp_commerce.models.offer import BillingCycle, Offer, OfferFamily, Segment, TermDuration
from csp_commerce.models.order import Actor, Order, OrderLine
from csp_commerce.models.outcome import (
    CreatedTenant,
    FailureDetail,
    LineOutcome,
    OutcomeStatus,
    ProvisioningOutcome,
)
from csp_commerce.models.plan import (
    ApprovalDecision,
    BillingOptions,
    CheckoutPlan,
    LineAction,
    LinePlan,
    TenantAction,
    TenantResolution,
)
from csp_commerce.models.problem import Problem
from csp_commerce.models.result import CheckoutResult

__all__ = [
    "AcceptanceSource",
    "Actor",
    "Address",
    "ApprovalDecision",
    "BillingCycle",
    "BillingOptions",
    "CheckoutFacts",
    "CheckoutPlan",
    "CheckoutResult",
    "CompanyProfile",
    "Contact",
    "CreatedTenant",
    "Customer",
    "DiscoveredCustomer",
    "DiscoveredInvoice",
    "DiscoveredInvoiceLine",
    "DiscoveredSubscription",
    "DiscoveryCounts",
    "DiscoveryRun",
    "DiscoveryState",
    "FailureDetail",
    "LineAction",
    "LineOutcome",
    "LinePlan",
    "McaAcceptance",
    "McaFacts",
    "Offer",
    "OfferFamily",
    "Order",
    "OrderLine",
    "OutcomeStatus",
    "Problem",
    "PromotionFact",
    "ProvisioningOutcome",
    "Qualification",
    "QualificationFact",
    "Relationship",
    "Reseller",
    "ResellerFacts",
    "Segment",
    "SubscriptionFact",
    "TenantAction",
    "TenantFacts",
    "TenantResolution",
    "TermDuration",
    "VettingStatus",
]
