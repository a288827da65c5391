"""Billing reconciliation v2 on Microsoft Graph: the export operation, its manifest, and the
line items of its gzip JSON-lines blobs (``/reports/partners/billing/...``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from csp_commerce.provisioning.wire._pc_model import PCModel


class ExportBlob(PCModel):
    """One blob of an export: its file name under the manifest's ``rootDirectory``."""

    name: str
    partition_value: str | None = None


class ExportManifest(PCModel):
    """What a finished export produced: where its blobs are and how to read them.

    ``e_tag`` changes only when the exported data changes, so an export whose eTag was seen
    before need not be downloaded again. ``sas_token`` grants read access to the blobs for a
    limited time (an expired one is refused by storage: run the export again).
    """

    id: str | None = None
    schema_version: str | None = None
    data_format: str = "compressedJSONLines"
    created_date_time: str | None = None
    e_tag: str
    partition_type: str | None = None
    partner_tenant_id: str | None = None
    root_directory: str
    sas_token: str
    blob_count: int
    blobs: list[ExportBlob] = Field(default_factory=list)

    def blob_url(self, blob: ExportBlob) -> str:
        """The blob's download URL: root directory, blob name, SAS token."""
        sas = self.sas_token.lstrip("?")
        return f"{self.root_directory.rstrip('/')}/{blob.name}?{sas}"


class ExportError(PCModel):
    """A failed operation's error (``code`` 5000: no v2 data for a legacy invoice)."""

    code: str | int | None = None
    message: str | None = None


class ExportOperation(PCModel):
    """The state of an export: ``running``/``notStarted``, ``succeeded`` (with the manifest in
    ``resourceLocation``) or ``failed`` (with ``error``)."""

    conditional_fields = frozenset({"resourceLocation", "error"})  # by status, as above
    id: str | None = None
    odata_type: str | None = Field(default=None, alias="@odata.type")
    status: str | None = None
    created_date_time: str | None = None
    last_action_date_time: str | None = None
    resource_location: ExportManifest | None = None
    error: ExportError | None = None

    @property
    def state(self) -> str:
        """``succeeded``, ``failed`` or ``running``: from ``status``, else the OData type."""
        status = (self.status or "").lower()
        kind = (self.odata_type or "").lower()
        if status == "succeeded" or kind.endswith("exportsuccessoperation"):
            return "succeeded"
        if status == "failed" or kind.endswith("failedoperation"):
            return "failed"
        return "running"


class ReconciliationLineItem(PCModel):
    """One line of a v2 export (billed or unbilled invoice reconciliation; usage lines carry
    other fields, kept as extras like every field Graph adds later).

    Numbers stay as Graph sends them (float); :mod:`csp_commerce.money` reads them as decimals.
    """

    partner_id: str | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    customer_domain_name: str | None = None
    customer_country: str | None = None
    invoice_number: str | None = None
    mpn_id: str | int | None = None
    reseller_mpn_id: str | int | None = None
    order_id: str | None = None
    order_date: str | None = None
    product_id: str | None = None
    sku_id: str | None = None
    availability_id: str | None = None
    product_name: str | None = None
    sku_name: str | None = None
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
    subscription_description: str | None = None
    subscription_id: str | None = None
    subscription_start_date: str | None = None
    subscription_end_date: str | None = None
    charge_start_date: str | None = None
    charge_end_date: str | None = None
    term_and_billing_cycle: str | None = None
    billing_frequency: str | None = None
    pricing_currency: str | None = None
    pc_to_bc_exchange_rate: float | None = Field(default=None, alias="pcToBCExchangeRate")


def export_body(
    *,
    invoice_id: str | None,
    billing_period: str | None,
    currency_code: str | None,
    attribute_set: str,
) -> dict[str, Any]:
    """The POST body of an export: an invoice id (billed) or a period and currency
    (unbilled)."""
    if invoice_id is not None:
        return {"invoiceId": invoice_id, "attributeSet": attribute_set}
    return {
        "billingPeriod": billing_period or "current",
        "currencyCode": currency_code or "USD",
        "attributeSet": attribute_set,
    }
