"""Everyday operations after the first order: subscriptions, users and licences, billing.

Each manager wraps a :class:`~csp_commerce.provisioning.PartnerCenterClient` (live, or on the
sandbox). Customer mistakes come back as Problems inside typed results; the program's and the
network's failures stay exceptions (:class:`~csp_commerce.errors.CSPCommerceError`). The names
below are imported on first use, so that importing the package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce._lazy import lazy_attributes

if TYPE_CHECKING:
    from csp_commerce.operations.billing import (
        SalesCollection,
        billing_report,
        customer_references,
        reconcile_invoice,
        sales_records,
    )
    from csp_commerce.operations.subscriptions import (
        AddonPurchase,
        HistoryEntry,
        SubscriptionChange,
        SubscriptionManager,
        cancellation_deadline,
    )
    from csp_commerce.operations.users import (
        ImportReport,
        ImportRow,
        LicenceChange,
        PasswordReset,
        UserCreation,
        UserManager,
    )

_LAZY = {
    "AddonPurchase": "csp_commerce.operations.subscriptions",
    "HistoryEntry": "csp_commerce.operations.subscriptions",
    "SubscriptionChange": "csp_commerce.operations.subscriptions",
    "SubscriptionManager": "csp_commerce.operations.subscriptions",
    "cancellation_deadline": "csp_commerce.operations.subscriptions",
    "ImportReport": "csp_commerce.operations.users",
    "ImportRow": "csp_commerce.operations.users",
    "LicenceChange": "csp_commerce.operations.users",
    "PasswordReset": "csp_commerce.operations.users",
    "UserCreation": "csp_commerce.operations.users",
    "UserManager": "csp_commerce.operations.users",
    "SalesCollection": "csp_commerce.operations.billing",
    "billing_report": "csp_commerce.operations.billing",
    "customer_references": "csp_commerce.operations.billing",
    "reconcile_invoice": "csp_commerce.operations.billing",
    "sales_records": "csp_commerce.operations.billing",
}


__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "AddonPurchase",
    "HistoryEntry",
    "ImportReport",
    "ImportRow",
    "LicenceChange",
    "PasswordReset",
    "SalesCollection",
    "SubscriptionChange",
    "SubscriptionManager",
    "UserCreation",
    "UserManager",
    "billing_report",
    "cancellation_deadline",
    "customer_references",
    "reconcile_invoice",
    "sales_records",
]
