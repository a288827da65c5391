"""Which wire model describes each response type of the route table, and their JSON schemas.

``RESPONSE_MODELS`` maps a response name of :mod:`csp_commerce.models.routes` (``Customer``,
the item of ``Collection[Customer]`` or ``Customer[]``) to the pydantic model the client reads
it with. :func:`response_schemas` turns them into OpenAPI 3.1 component schemas (camelCase,
as Partner Center spells them); ``scripts/render_endpoints.py`` writes them to
``csp_commerce/data/wire_schemas.json``, which the sandbox serves in ``/openapi.json`` (the
sandbox may not import the client, so it reads the rendered file).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic.json_schema import models_json_schema

from csp_commerce.provisioning.resources.audit import AuditRecord
from csp_commerce.provisioning.wire.agreements import Agreement, AgreementTemplate, MpaStatus
from csp_commerce.provisioning.wire.customers import (
    AddressValidationResult,
    CountryValidationRules,
    CustomerBillingProfile,
    CustomerCompanyProfile,
    CustomerQualification,
    PCCustomer,
)
from csp_commerce.provisioning.wire.gdap import (
    DelegatedAdminAccessAssignment,
    DelegatedAdminRelationship,
    DelegatedAdminRelationshipOperation,
    DelegatedAdminRelationshipRequest,
    ResellerDelegatedAdminRelationship,
)
from csp_commerce.provisioning.wire.invoices import Invoice, InvoiceLineItem
from csp_commerce.provisioning.wire.orders import (
    Cart,
    CartCheckoutResult,
    PCOrder,
    ProvisioningStatus,
)
from csp_commerce.provisioning.wire.products import Availability, Product, Sku
from csp_commerce.provisioning.wire.promotions import (
    CustomTermEndDate,
    ProductPromotion,
    PromotionEligibilities,
)
from csp_commerce.provisioning.wire.reconciliation import ExportOperation
from csp_commerce.provisioning.wire.relationships import (
    MpnProfile,
    PartnerRelationship,
    RelationshipRequest,
)
from csp_commerce.provisioning.wire.subscriptions import (
    SubscribedSku,
    Subscription,
    SubscriptionProvisioningStatus,
)
from csp_commerce.provisioning.wire.transfers import Transfer
from csp_commerce.provisioning.wire.transitions import (
    Transition,
    TransitionEligibility,
)
from csp_commerce.provisioning.wire.users import CustomerUser, DirectoryRole, License, LicenseUpdate
from csp_commerce.provisioning.wire.webhooks import (
    WebhookRegistration,
    WebhookValidationEvent,
    WebhookValidationStatus,
)

if TYPE_CHECKING:
    from csp_commerce.provisioning.wire._pc_model import PCModel

RESPONSE_MODELS: dict[str, type[PCModel]] = {
    "AddressValidationResult": AddressValidationResult,
    "Agreement": Agreement,
    "AgreementTemplate": AgreementTemplate,
    "AuditRecord": AuditRecord,
    "Availability": Availability,
    "Cart": Cart,
    "CartCheckoutResult": CartCheckoutResult,
    "CountryValidationRules": CountryValidationRules,
    "CustomTermEndDate": CustomTermEndDate,
    "DelegatedAdminAccessAssignment": DelegatedAdminAccessAssignment,
    "DelegatedAdminRelationship": DelegatedAdminRelationship,
    "DelegatedAdminRelationshipOperation": DelegatedAdminRelationshipOperation,
    "DelegatedAdminRelationshipRequest": DelegatedAdminRelationshipRequest,
    "ResellerDelegatedAdminRelationship": ResellerDelegatedAdminRelationship,
    "ExportOperation": ExportOperation,
    "Customer": PCCustomer,
    "CustomerBillingProfile": CustomerBillingProfile,
    "CustomerCompanyProfile": CustomerCompanyProfile,
    "CustomerQualification": CustomerQualification,
    "CustomerUser": CustomerUser,
    "DirectoryRole": DirectoryRole,
    "Invoice": Invoice,
    "InvoiceLineItem": InvoiceLineItem,
    "License": License,
    "LicenseUpdate": LicenseUpdate,
    "MpaStatus": MpaStatus,
    "MpnProfile": MpnProfile,
    "Order": PCOrder,
    "PartnerRelationship": PartnerRelationship,
    "Product": Product,
    "ProductPromotion": ProductPromotion,
    "PromotionEligibilities": PromotionEligibilities,
    "ProvisioningStatus": ProvisioningStatus,
    "RelationshipRequest": RelationshipRequest,
    "Sku": Sku,
    "SubscribedSku": SubscribedSku,
    "Subscription": Subscription,
    "SubscriptionProvisioningStatus": SubscriptionProvisioningStatus,
    "Transfer": Transfer,
    "Transition": Transition,
    "TransitionEligibility": TransitionEligibility,
    "WebhookRegistration": WebhookRegistration,
    "WebhookValidationEvent": WebhookValidationEvent,
    "WebhookValidationStatus": WebhookValidationStatus,
}

_NAME = re.compile(r"(?:Collection\[(\w+)\]|(\w+)\[\]|(\w+))")


def response_model(response: str) -> type[PCModel] | None:
    """The wire model of a route's response (of its items for a collection or an array)."""
    found = _NAME.fullmatch(response)
    if found is None:
        return None
    return RESPONSE_MODELS.get(next(group for group in found.groups() if group))


def documented_fields(model: type[PCModel]) -> tuple[str, ...]:
    """The wire names (camelCase) of the fields ``model`` declares (the fields Partner Center
    documents for that resource) that every answer carries: all but its
    ``conditional_fields``."""
    return tuple(
        wire
        for name, info in model.model_fields.items()
        if (wire := info.alias or name) not in model.conditional_fields
    )


def response_schemas() -> dict[str, Any]:
    """``{"responses": {response name: schema name}, "schemas": {schema name: JSON schema}}``."""
    models = sorted(set(RESPONSE_MODELS.values()), key=lambda model: model.__name__)
    _, top = models_json_schema(
        [(model, "serialization") for model in models],
        by_alias=True,
        ref_template="#/components/schemas/{model}",
    )
    schemas = top.get("$defs", {})
    return {
        "responses": {name: model.__name__ for name, model in sorted(RESPONSE_MODELS.items())},
        "schemas": dict(sorted(schemas.items())),
    }
