"""Partner Center's resources as typed models (pydantic v2, camelCase, unknown fields kept)."""

from __future__ import annotations

from csp_commerce.provisioning.wire._pc_model import (
    Attributes,
    Collection,
    KeyValue,
    Link,
    Links,
    PCModel,
)
from csp_commerce.provisioning.wire.agreements import (
    Agreement,
    AgreementConfirmation,
    AgreementTemplate,
    MpaStatus,
    PrimaryContact,
)
from csp_commerce.provisioning.wire.customers import (
    AddressValidationResult,
    CountryValidationRules,
    CustomerBillingProfile,
    CustomerCompanyProfile,
    CustomerQualification,
    PCAddress,
    PCCustomer,
    UserCredentials,
)
from csp_commerce.provisioning.wire.invoices import Invoice, InvoiceLineItem
from csp_commerce.provisioning.wire.orders import (
    Cart,
    CartCheckoutResult,
    CartLineItem,
    CartLineItemError,
    OrderError,
    OrderLineItem,
    Participant,
    PCOrder,
    ProvisioningStatus,
    transaction_reseller,
)
from csp_commerce.provisioning.wire.products import (
    Availability,
    AvailabilityTerm,
    Product,
    Sku,
)
from csp_commerce.provisioning.wire.reconciliation import (
    ExportBlob,
    ExportManifest,
    ExportOperation,
    ReconciliationLineItem,
)
from csp_commerce.provisioning.wire.relationships import (
    MpnProfile,
    PartnerRelationship,
    RelationshipRequest,
)
from csp_commerce.provisioning.wire.subscriptions import (
    ProductSku,
    SubscribedSku,
    Subscription,
    SubscriptionProvisioningStatus,
)
from csp_commerce.provisioning.wire.users import (
    CustomerUser,
    DirectoryRole,
    License,
    LicenseAssignment,
    LicenseUpdate,
    PasswordProfile,
)
from csp_commerce.provisioning.wire.webhooks import (
    WebhookRegistration,
    WebhookValidationEvent,
    WebhookValidationStatus,
)

__all__ = [
    "AddressValidationResult",
    "Agreement",
    "AgreementConfirmation",
    "AgreementTemplate",
    "Attributes",
    "Availability",
    "AvailabilityTerm",
    "Cart",
    "CartCheckoutResult",
    "CartLineItem",
    "CartLineItemError",
    "Collection",
    "CountryValidationRules",
    "CustomerBillingProfile",
    "CustomerCompanyProfile",
    "CustomerQualification",
    "CustomerUser",
    "DirectoryRole",
    "ExportBlob",
    "ExportManifest",
    "ExportOperation",
    "Invoice",
    "InvoiceLineItem",
    "KeyValue",
    "License",
    "LicenseAssignment",
    "LicenseUpdate",
    "Link",
    "Links",
    "MpaStatus",
    "MpnProfile",
    "OrderError",
    "OrderLineItem",
    "PCAddress",
    "PCCustomer",
    "PCModel",
    "PCOrder",
    "Participant",
    "PartnerRelationship",
    "PasswordProfile",
    "PrimaryContact",
    "Product",
    "ProductSku",
    "ProvisioningStatus",
    "ReconciliationLineItem",
    "RelationshipRequest",
    "Sku",
    "SubscribedSku",
    "Subscription",
    "SubscriptionProvisioningStatus",
    "UserCredentials",
    "WebhookRegistration",
    "WebhookValidationEvent",
    "WebhookValidationStatus",
    "transaction_reseller",
]
