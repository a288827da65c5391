"""Money: prices, markups, money per locale, billing cycles, billing reports and invoice
reconciliation. Pure: nothing here calls the network or a store."""

from __future__ import annotations

from csp_commerce.errors import PriceNotFoundError, PricingError
from csp_commerce.models.catalogue.pricing_codes import ANNUAL_BILLING_ONLY
from csp_commerce.models.price import LinePrice, Markup, MarkupScope, PriceEntry, PriceList
from csp_commerce.money.billing_cycles import BillingCycleCalendar, BillingPeriod
from csp_commerce.money.billing_reports import (
    BillingReport,
    CustomerGroup,
    SaleRecord,
    SubscriptionGroup,
    Totals,
    build_reports,
    totals_of,
)
from csp_commerce.money.currency import currency_precision, format_money, round_money
from csp_commerce.money.pricing import (
    PeriodAmounts,
    QuantityChangePreview,
    preview_quantity_change,
    price_entry,
    price_line,
    select_markup,
    unit_price,
)
from csp_commerce.money.reconciliation import (
    Difference,
    DifferenceKind,
    InvoiceLine,
    ReconciliationReport,
    reconcile,
)
from csp_commerce.money.report_formats import Money, Row, Tabular, render, to_csv, to_json, to_table

__all__ = [
    "ANNUAL_BILLING_ONLY",
    "BillingCycleCalendar",
    "BillingPeriod",
    "BillingReport",
    "CustomerGroup",
    "Difference",
    "DifferenceKind",
    "InvoiceLine",
    "LinePrice",
    "Markup",
    "MarkupScope",
    "Money",
    "PeriodAmounts",
    "PriceEntry",
    "PriceList",
    "PriceNotFoundError",
    "PricingError",
    "QuantityChangePreview",
    "ReconciliationReport",
    "Row",
    "SaleRecord",
    "SubscriptionGroup",
    "Tabular",
    "Totals",
    "build_reports",
    "currency_precision",
    "format_money",
    "preview_quantity_change",
    "price_entry",
    "price_line",
    "reconcile",
    "render",
    "round_money",
    "select_markup",
    "to_csv",
    "to_json",
    "to_table",
    "totals_of",
    "unit_price",
]
