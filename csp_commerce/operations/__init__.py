"""After the sale: subscriptions, users and licences, sales and billing, discovery, onboarding.

Each manager wraps a :class:`~csp_commerce.provisioning.PartnerCenterClient` (live, or on the
sandbox). Customer mistakes come back as Problems inside typed results; the program's and the
network's failures stay exceptions (:class:`~csp_commerce.errors.CSPCommerceError`). The names
below are imported on first use, so that importing the package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce._lazy import lazy_attributes

if TYPE_CHECKING:
    from csp_commerce.operations.discovery_runner import Discovery, Progress, fingerprint
    from csp_commerce.operations.event_handlers import EventHandlers
    from csp_commerce.operations.event_sync import TargetedDiscovery, TargetedSync
    from csp_commerce.operations.gdap_manager import (
        AssignmentChange,
        GdapManager,
        RelationshipChange,
        TemplateAssignments,
        apply_template_assignments,
        request_gdap,
    )
    from csp_commerce.operations.invoice_lines import (
        InvoiceLines,
        MemoryEtagMemory,
        StoredEtagMemory,
        billed_lines,
        unbilled_lines,
    )
    from csp_commerce.operations.renewals import Renewal, RenewalsReport, renewals_report
    from csp_commerce.operations.sales import (
        SalesCollection,
        billing_report,
        customer_references,
        reconcile_invoice,
        reconcile_unbilled,
        sales_records,
    )
    from csp_commerce.operations.subscription_manager import (
        AddonPurchase,
        HistoryEntry,
        SubscriptionChange,
        SubscriptionManager,
        cancellation_deadline,
    )
    from csp_commerce.operations.user_manager import (
        ImportReport,
        ImportRow,
        LicenceChange,
        PasswordReset,
        UserCreation,
        UserDeletion,
        UserManager,
    )

_LAZY = {
    "AssignmentChange": "csp_commerce.operations.gdap_manager",
    "GdapManager": "csp_commerce.operations.gdap_manager",
    "RelationshipChange": "csp_commerce.operations.gdap_manager",
    "TemplateAssignments": "csp_commerce.operations.gdap_manager",
    "apply_template_assignments": "csp_commerce.operations.gdap_manager",
    "request_gdap": "csp_commerce.operations.gdap_manager",
    "Discovery": "csp_commerce.operations.discovery_runner",
    "EventHandlers": "csp_commerce.operations.event_handlers",
    "TargetedDiscovery": "csp_commerce.operations.event_sync",
    "TargetedSync": "csp_commerce.operations.event_sync",
    "Progress": "csp_commerce.operations.discovery_runner",
    "fingerprint": "csp_commerce.operations.discovery_runner",
    "AddonPurchase": "csp_commerce.operations.subscription_manager",
    "HistoryEntry": "csp_commerce.operations.subscription_manager",
    "SubscriptionChange": "csp_commerce.operations.subscription_manager",
    "SubscriptionManager": "csp_commerce.operations.subscription_manager",
    "cancellation_deadline": "csp_commerce.operations.subscription_manager",
    "ImportReport": "csp_commerce.operations.user_manager",
    "ImportRow": "csp_commerce.operations.user_manager",
    "LicenceChange": "csp_commerce.operations.user_manager",
    "PasswordReset": "csp_commerce.operations.user_manager",
    "UserDeletion": "csp_commerce.operations.user_manager",
    "UserCreation": "csp_commerce.operations.user_manager",
    "UserManager": "csp_commerce.operations.user_manager",
    "Renewal": "csp_commerce.operations.renewals",
    "RenewalsReport": "csp_commerce.operations.renewals",
    "renewals_report": "csp_commerce.operations.renewals",
    "SalesCollection": "csp_commerce.operations.sales",
    "billing_report": "csp_commerce.operations.sales",
    "customer_references": "csp_commerce.operations.sales",
    "reconcile_invoice": "csp_commerce.operations.sales",
    "reconcile_unbilled": "csp_commerce.operations.sales",
    "InvoiceLines": "csp_commerce.operations.invoice_lines",
    "MemoryEtagMemory": "csp_commerce.operations.invoice_lines",
    "StoredEtagMemory": "csp_commerce.operations.invoice_lines",
    "billed_lines": "csp_commerce.operations.invoice_lines",
    "unbilled_lines": "csp_commerce.operations.invoice_lines",
    "sales_records": "csp_commerce.operations.sales",
}


__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "AddonPurchase",
    "AssignmentChange",
    "Discovery",
    "EventHandlers",
    "GdapManager",
    "HistoryEntry",
    "ImportReport",
    "ImportRow",
    "InvoiceLines",
    "LicenceChange",
    "MemoryEtagMemory",
    "PasswordReset",
    "Progress",
    "RelationshipChange",
    "Renewal",
    "RenewalsReport",
    "SalesCollection",
    "StoredEtagMemory",
    "SubscriptionChange",
    "SubscriptionManager",
    "TargetedDiscovery",
    "TargetedSync",
    "TemplateAssignments",
    "UserCreation",
    "UserDeletion",
    "UserManager",
    "apply_template_assignments",
    "billed_lines",
    "billing_report",
    "cancellation_deadline",
    "customer_references",
    "fingerprint",
    "reconcile_invoice",
    "reconcile_unbilled",
    "renewals_report",
    "request_gdap",
    "sales_records",
    "unbilled_lines",
]
