"""Invoices (offset paging) and their line items (seek paging)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.provisioning._core import Call, PageSpec, collection, model
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    listing,
    operation,
    quote,
)
from csp_commerce.provisioning.wire import Invoice, InvoiceLineItem

if TYPE_CHECKING:
    import httpx


def _list(*, size: int = 100) -> PageSpec[Invoice]:
    """Every invoice, ``size`` per page (offset paging)."""
    first = Call("GET", "/v1/invoices", collection(Invoice), params={"size": size, "offset": 0})
    return PageSpec(first, offset_size=size)


def _get(invoice_id: str) -> Call[Invoice]:
    """One invoice (with its PDF link, valid 30 minutes)."""
    return Call("GET", f"/v1/invoices/{quote(invoice_id)}", model(Invoice))


def _line_items(
    invoice_id: str,
    *,
    provider: str = "onetime",
    line_item_type: str = "billinglineitems",
    currency_code: str | None = None,
    period: str | None = None,
    size: int = 2000,
) -> PageSpec[InvoiceLineItem]:
    """An invoice's line items (``provider``: onetime, office or azure; ``line_item_type``:
    billinglineitems or usagelineitems).

    ``invoice_id`` ``"unbilled"`` with ``currency_code`` and ``period`` (``current`` or
    ``previous``) reads the charges not yet invoiced.
    """
    params: dict[str, str | int] = {"provider": provider, "invoicelineitemtype": line_item_type}
    if currency_code is not None:
        params["currencycode"] = currency_code
    if period is not None:
        params["period"] = period
    params["size"] = size
    return PageSpec(
        Call(
            "GET",
            f"/v1/invoices/{quote(invoice_id)}/lineitems",
            collection(InvoiceLineItem),
            params=params,
        )
    )


def _content(response: httpx.Response) -> bytes:
    return response.content


def _statement(invoice_id: str) -> Call[bytes]:
    """An invoice's PDF (the bytes of ``documents/statement``)."""
    return Call(
        "GET",
        f"/v1/invoices/{quote(invoice_id)}/documents/statement",
        _content,
        headers={"Accept": "application/pdf"},
    )


class _Operations:
    list = listing(_list)
    get = operation(_get)
    line_items = listing(_line_items)
    statement = operation(_statement)


class Invoices(SyncResource, _Operations):
    """``client.invoices``: invoices and invoice line items."""


class AsyncInvoices(AsyncResource, _Operations):
    """``client.invoices`` (async): invoices and invoice line items."""
