"""Partner Center's resources, one module per noun; each has a sync and an async class built
from one description of its operations."""

from __future__ import annotations

from csp_commerce.provisioning.resources.agreements import Agreements, AsyncAgreements
from csp_commerce.provisioning.resources.customers import AsyncCustomers, Customers
from csp_commerce.provisioning.resources.gdap import AsyncGdap, Gdap
from csp_commerce.provisioning.resources.invoices import AsyncInvoices, Invoices
from csp_commerce.provisioning.resources.mfa import AsyncMfa, Mfa
from csp_commerce.provisioning.resources.orders import AsyncCarts, AsyncOrders, Carts, Orders
from csp_commerce.provisioning.resources.products import AsyncProducts, Products
from csp_commerce.provisioning.resources.qualifications import (
    AsyncQualifications,
    Qualifications,
)
from csp_commerce.provisioning.resources.reconciliation import (
    AsyncReconciliation,
    Reconciliation,
)
from csp_commerce.provisioning.resources.relationships import (
    AsyncRelationships,
    Relationships,
)
from csp_commerce.provisioning.resources.subscriptions import AsyncSubscriptions, Subscriptions
from csp_commerce.provisioning.resources.users import (
    AsyncSubscribedSkus,
    AsyncUsers,
    SubscribedSkus,
    Users,
)
from csp_commerce.provisioning.resources.validations import (
    AsyncCountryValidationRulesResource,
    AsyncValidations,
    CountryValidationRulesResource,
    Validations,
)
from csp_commerce.provisioning.resources.webhooks import AsyncWebhooks, Webhooks

__all__ = [
    "Agreements",
    "AsyncAgreements",
    "AsyncCarts",
    "AsyncCountryValidationRulesResource",
    "AsyncCustomers",
    "AsyncGdap",
    "AsyncInvoices",
    "AsyncMfa",
    "AsyncOrders",
    "AsyncProducts",
    "AsyncQualifications",
    "AsyncReconciliation",
    "AsyncRelationships",
    "AsyncSubscribedSkus",
    "AsyncSubscriptions",
    "AsyncUsers",
    "AsyncValidations",
    "AsyncWebhooks",
    "Carts",
    "CountryValidationRulesResource",
    "Customers",
    "Gdap",
    "Invoices",
    "Mfa",
    "Orders",
    "Products",
    "Qualifications",
    "Reconciliation",
    "Relationships",
    "SubscribedSkus",
    "Subscriptions",
    "Users",
    "Validations",
    "Webhooks",
]
