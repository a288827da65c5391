"""csp_commerce: sell Microsoft cloud services as a CSP partner.

Checkout rules as pluggy hooks, a resilient Partner Center client, and a faithful sandbox.
The Partner Center client classes are imported on first use, so that ``import csp_commerce``
stays cheap for a storefront that only validates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce._lazy import lazy_attributes
from csp_commerce.checkout import Checkout
from csp_commerce.errors import ConfigurationError, CSPCommerceError, InputError, PluginError
from csp_commerce.hooks import hookimpl
from csp_commerce.hooks.manager import HookManager
from csp_commerce.models import (
    AcceptanceSource,
    Actor,
    Address,
    ApprovalDecision,
    BillingCycle,
    BillingOptions,
    CheckoutFacts,
    CheckoutPlan,
    CheckoutResult,
    CompanyProfile,
    Contact,
    Customer,
    LineAction,
    LinePlan,
    McaAcceptance,
    McaFacts,
    Offer,
    OfferFamily,
    Order,
    OrderLine,
    Problem,
    ProvisioningOutcome,
    Qualification,
    QualificationFact,
    Relationship,
    Reseller,
    ResellerFacts,
    Segment,
    SubscriptionFact,
    TenantAction,
    TenantFacts,
    TenantResolution,
    TermDuration,
)
from csp_commerce.models.catalogue import render_problem
from csp_commerce.models.clouds import Cloud
from csp_commerce.models.settings import CheckoutSettings, DuplicatePolicy, DynamicsPolicy

if TYPE_CHECKING:
    from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient

__version__ = "0.1.0"

_LAZY = {
    "PartnerCenterClient": "csp_commerce.provisioning",
    "AsyncPartnerCenterClient": "csp_commerce.provisioning",
}


__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "AcceptanceSource",
    "Actor",
    "Address",
    "ApprovalDecision",
    "AsyncPartnerCenterClient",
    "BillingCycle",
    "BillingOptions",
    "CSPCommerceError",
    "Checkout",
    "CheckoutFacts",
    "CheckoutPlan",
    "CheckoutResult",
    "CheckoutSettings",
    "Cloud",
    "CompanyProfile",
    "ConfigurationError",
    "Contact",
    "Customer",
    "DuplicatePolicy",
    "DynamicsPolicy",
    "HookManager",
    "InputError",
    "LineAction",
    "LinePlan",
    "McaAcceptance",
    "McaFacts",
    "Offer",
    "OfferFamily",
    "Order",
    "OrderLine",
    "PartnerCenterClient",
    "PluginError",
    "Problem",
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
    "__version__",
    "hookimpl",
    "render_problem",
]
