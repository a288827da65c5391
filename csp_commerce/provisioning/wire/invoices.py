"""Invoices and their line items."""

from __future__ import annotations

from typing import Any

from csp_commerce.provisioning.wire._pc_model import PCModel


class Invoice(PCModel):
    """An invoice (or credit note)."""

    id: str
    invoice_date: str | None = None
    billing_period_start_date: str | None = None
    billing_period_end_date: str | None = None
    total_charges: float | None = None
    paid_amount: float | None = None
    currency_code: str | None = None
    document_type: str | None = None
    invoice_type: str | None = None
    invoice_details: list[dict[str, Any]] | None = None
    pdf_download_link: str | None = None


class InvoiceLineItem(PCModel):
    """A billed line of an invoice; the many reconciliation fields are kept as extras."""

    invoice_number: str | None = None
    customer_id: str | None = None
    order_id: str | None = None
    subscription_id: str | None = None
    product_id: str | None = None
    sku_id: str | None = None
    charge_type: str | None = None
    quantity: float | None = None
    unit_price: float | None = None
    subtotal: float | None = None
    total_for_customer: float | None = None
    currency: str | None = None
