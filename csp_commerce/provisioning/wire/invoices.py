"""Invoices and their line items."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from csp_commerce.provisioning.wire._pc_model import PCModel


class Invoice(PCModel):
    """An invoice (or credit note)."""

    # Only on a single read (a link valid for 30 minutes), not in the list.
    conditional_fields = frozenset({"pdfDownloadLink"})

    id: str
    invoice_date: str | None = None
    billing_period_start_date: str | None = None
    billing_period_end_date: str | None = None
    total_charges: float | None = None
    paid_amount: float | None = None
    currency_code: str | None = None
    currency_symbol: str | None = None
    document_type: str | None = None
    invoice_type: str | None = None
    invoice_details: list[dict[str, Any]] | None = None
    pdf_download_link: str | None = None
    amendments: list[dict[str, Any]] | None = None
    amends_of: str | None = None
    tax_receipts: list[dict[str, Any]] | None = None


class InvoiceLineItem(PCModel):
    """A billed or unbilled line of an invoice: the documented OneTime (new-commerce) fields.

    Legacy licence-based and usage lines carry other fields; they are kept as extras.
    """

    invoice_line_item_type: str | None = None
    billing_provider: str | None = None
    partner_id: str | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    customer_domain_name: str | None = None
    customer_country: str | None = None
    invoice_number: str | None = None
    mpn_id: str | None = None
    reseller_mpn_id: str | None = None
    order_id: str | None = None
    order_date: str | None = None
    product_id: str | None = None
    sku_id: str | None = None
    availability_id: str | None = None
    product_name: str | None = None
    sku_name: str | None = None
    product_qualifiers: list[str] | None = None
    charge_type: str | None = None
    unit_price: float | None = None
    effective_unit_price: float | None = None
    unit_type: str | None = None
    quantity: float | None = None
    billable_quantity: float | None = None
    subtotal: float | None = None
    tax_total: float | None = None
    total_for_customer: float | None = None
    currency: str | None = None
    publisher_name: str | None = None
    publisher_id: str | None = None
    subscription_description: str | None = None
    subscription_id: str | None = None
    subscription_start_date: str | None = None
    subscription_end_date: str | None = None
    charge_start_date: str | None = None
    charge_end_date: str | None = None
    term_and_billing_cycle: str | None = None
    alternate_id: str | None = None
    reference_id: str | None = None
    price_adjustment_description: str | None = None
    discount_details: str | None = None
    pricing_currency: str | None = None
    pc_to_bc_exchange_rate: float | None = Field(default=None, alias="pcToBCExchangeRate")
    pc_to_bc_exchange_rate_date: str | None = Field(default=None, alias="pcToBCExchangeRateDate")
    meter_description: str | None = None
    billing_frequency: str | None = None
    reservation_order_id: str | None = None
    credit_reason_code: str | None = None
    promotion_id: str | None = None
