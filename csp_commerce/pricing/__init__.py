"""Pricing: price lists, markups, the price and margin of a line, money per locale. Pure."""

from __future__ import annotations

from csp_commerce.pricing.engine import (
    ANNUAL_BILLING_ONLY,
    PeriodAmounts,
    PriceNotFoundError,
    PricingError,
    QuantityChangePreview,
    preview_quantity_change,
    price_entry,
    price_line,
    select_markup,
    unit_price,
)
from csp_commerce.pricing.models import LinePrice, Markup, MarkupScope, PriceEntry, PriceList
from csp_commerce.pricing.money import currency_precision, format_money, round_money

__all__ = [
    "ANNUAL_BILLING_ONLY",
    "LinePrice",
    "Markup",
    "MarkupScope",
    "PeriodAmounts",
    "PriceEntry",
    "PriceList",
    "PriceNotFoundError",
    "PricingError",
    "QuantityChangePreview",
    "currency_precision",
    "format_money",
    "preview_quantity_change",
    "price_entry",
    "price_line",
    "round_money",
    "select_markup",
    "unit_price",
]
