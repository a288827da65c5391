"""Billing: the partner's billing cycles, billing reports and invoice reconciliation. Pure."""

from __future__ import annotations

from csp_commerce.billing.cycles import BillingCycleCalendar, BillingPeriod
from csp_commerce.billing.reconcile import (
    Difference,
    DifferenceKind,
    InvoiceLine,
    ReconciliationReport,
    reconcile,
)
from csp_commerce.billing.render import Money, Row, Tabular, render, to_csv, to_json, to_table
from csp_commerce.billing.reports import (
    BillingReport,
    CustomerGroup,
    SaleRecord,
    SubscriptionGroup,
    Totals,
    build_reports,
    totals_of,
)

__all__ = [
    "BillingCycleCalendar",
    "BillingPeriod",
    "BillingReport",
    "CustomerGroup",
    "Difference",
    "DifferenceKind",
    "InvoiceLine",
    "Money",
    "ReconciliationReport",
    "Row",
    "SaleRecord",
    "SubscriptionGroup",
    "Tabular",
    "Totals",
    "build_reports",
    "reconcile",
    "render",
    "to_csv",
    "to_json",
    "to_table",
    "totals_of",
]
