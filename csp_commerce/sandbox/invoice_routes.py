"""Handlers and generator: monthly invoices and their (OneTime, new-commerce) line items.

The generator is deliberately simple, enough for billing reports and reconciliation: monthly-
billed subscriptions are charged a full month, annual and triennial ones the whole period in the
month they start. Proration, renewals, refunds and taxes are not emulated.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

from csp_commerce.sandbox import webhook_routes
from csp_commerce.sandbox._http import (
    Context,
    Reply,
    Request,
    bad_request,
    not_found,
    offset_page,
    parse_timestamp,
    seek_page,
    timestamp,
)
from csp_commerce.sandbox.commerce_routes import CYCLE_MONTHS, TERM_TEXT
from csp_commerce.sandbox.pc_rules import product_of

if TYPE_CHECKING:
    from csp_commerce.sandbox.state import JSON, CustomerState


#: Billing periods from this day on have new-commerce billed lines in reconciliation v2 only.
V2_ONLY_FROM = "2025-04-01"
#: Unbilled v1 reconciliation retired for new commerce.
UNBILLED_V1_RETIRED = datetime(2026, 3, 15, tzinfo=timezone.utc)
#: The sandbox's code for a v1 read Partner Center no longer serves (undocumented: 2000, bad
#: request, with a description naming v2).
V1_RETIRED_CODE = 2000
RETIRED_V1 = (
    "New-commerce invoice line items of this period are served by the billing reconciliation "
    "API v2 (Microsoft Graph, /reports/partners/billing/reconciliation)."
)


def generate_invoice(ctx: Context, year: int, month: int) -> JSON:
    """Bill every customer's subscriptions for one calendar month; returns the invoice."""
    if not 1 <= month <= 12:
        raise bad_request("month must be 1-12.")
    start = datetime(year, month, 1, tzinfo=timezone.utc)
    end = datetime(
        year, month, calendar.monthrange(year, month)[1], 23, 59, 59, tzinfo=timezone.utc
    )
    world = ctx.world
    number = f"G{len(world.invoices) + 1:09d}"
    lines: list[JSON] = []
    for customer in world.customers.values():
        for subscription in customer.subscriptions.values():
            line = _charge(ctx, customer, subscription, number, start, end)
            if line is not None:
                lines.append(line)
    total = sum((Decimal(str(line["totalForCustomer"])) for line in lines), Decimal(0))
    invoice = {
        "id": number,
        "invoiceDate": timestamp(end),
        "billingPeriodStartDate": timestamp(start),
        "billingPeriodEndDate": timestamp(end),
        "totalCharges": float(total),
        "paidAmount": 0.0,
        "currencyCode": "USD",
        "currencySymbol": "$",
        "documentType": "Invoice",
        "invoiceType": "OneTime",
        "invoiceDetails": [
            {
                "invoiceLineItemType": "billing_line_items",
                "billingProvider": "one_time",
                "links": {
                    "self": {
                        "uri": f"/v1/invoices/{number}/lineitems?provider=onetime"
                        "&invoicelineitemtype=billinglineitems",
                        "method": "GET",
                        "headers": [],
                    }
                },
            }
        ],
        "amendments": [],
        "amendsOf": None,
        "taxReceipts": [],
        "attributes": {"objectType": "Invoice"},
    }
    world.invoices[number] = invoice
    world.invoice_lines[number] = lines
    webhook_routes.emit(ctx, "invoice-ready", f"/v1/invoices/{number}", "invoice")
    return invoice


def _charge(
    ctx: Context,
    customer: CustomerState,
    subscription: JSON,
    number: str,
    start: datetime,
    end: datetime,
) -> JSON | None:
    created = parse_timestamp(subscription["creationDate"])
    if created > end or subscription["status"] == "deleted":
        return None
    cycle = subscription["billingCycle"]
    first_month = created.year == start.year and created.month == start.month
    if cycle != "monthly" and not first_month:
        return None
    item = ctx.catalog.get(subscription["offerId"])
    if item is None:
        return None
    unit = item.monthly_price(subscription["termDuration"], cycle) * CYCLE_MONTHS[cycle]
    extended = subscription.get("extendedTerm")
    if isinstance(extended, dict) and parse_timestamp(extended["startDate"]) <= start:
        unit = Decimal(extended["unitPrice"])  # the extended term's uplifted monthly price
    quantity = subscription["quantity"]
    subtotal = unit * quantity
    company = customer.customer["companyProfile"]
    reseller = subscription["partnerId"] or None
    return {
        "partnerId": ctx.world.partner_tenant_id,
        "customerId": customer.id,
        "customerName": company["companyName"],
        "customerDomainName": company["domain"],
        "customerCountry": customer.customer["billingProfile"]["defaultAddress"]["country"],
        "invoiceNumber": number,
        "mpnId": ctx.world.partner_mpn_id,
        "resellerMpnId": reseller,
        "orderId": subscription["orderId"],
        "orderDate": subscription["creationDate"],
        "productId": product_of(subscription),
        "skuId": item.sku_id,
        "availabilityId": item.availability_id,
        "productName": item.title,
        "skuName": item.title,
        "chargeType": "new" if first_month else "cycleCharge",
        "unitPrice": float(unit),
        "effectiveUnitPrice": float(unit),
        "unitType": "Licenses",
        "quantity": quantity,
        "billableQuantity": quantity,
        "subtotal": float(subtotal),
        "taxTotal": 0.0,
        "totalForCustomer": float(subtotal),
        "currency": "USD",
        "publisherName": "Microsoft Corporation",
        "subscriptionId": subscription["id"],
        "subscriptionDescription": subscription["friendlyName"],
        "subscriptionStartDate": subscription["effectiveStartDate"],
        "subscriptionEndDate": subscription["commitmentEndDate"],
        "chargeStartDate": timestamp(max(created, start)),
        "chargeEndDate": timestamp(end),
        "termAndBillingCycle": (
            f"{TERM_TEXT[subscription['termDuration']]} commitment for {cycle} billing"
        ),
        "billingFrequency": cycle.capitalize(),
        "invoiceLineItemType": "billing_line_items",
        "billingProvider": "one_time",
        "publisherId": "",
        "productQualifiers": [],
        "alternateId": subscription["id"].replace("-", "")[:12],
        "referenceId": subscription["orderId"],
        "priceAdjustmentDescription": "",
        "discountDetails": "",
        # Prices are in USD and billed in USD: the exchange rate is 1, dated the charge start.
        "pricingCurrency": "USD",
        "pcToBCExchangeRate": 1.0,
        "pcToBCExchangeRateDate": timestamp(start),
        "meterDescription": "",
        "reservationOrderId": "",
        "creditReasonCode": "",
        "promotionId": "",
        "attributes": {"objectType": "OneTimeInvoiceLineItem"},
    }


def list_invoices(ctx: Context, req: Request) -> Reply:
    """``GET /v1/invoices?size=&offset=``: offset paging, newest first."""
    items = list(reversed(ctx.world.invoices.values()))
    return Reply(200, offset_page(req, items))


def get_invoice(ctx: Context, req: Request) -> Reply:
    """``GET /v1/invoices/{id}``."""
    invoice = ctx.world.invoices.get(req.params[0])
    if invoice is None:
        raise not_found(f"Invoice {req.params[0]}")
    # Only the single read adds the link; Partner Center's is a blob URL valid for 30 minutes,
    # the sandbox's is its own statement route, relative to wherever it is served (that route
    # needs the bearer token).
    link = f"/v1/invoices/{invoice['id']}/documents/statement"
    return Reply(200, {**invoice, "pdfDownloadLink": link})


def invoice_lines(ctx: Context, req: Request) -> Reply:
    """``GET /v1/invoices/{id}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems``.

    ``{id}`` ``unbilled`` is the current or previous period's charges not yet invoiced: it needs
    ``currencycode`` and ``period`` (``current`` or ``previous``). ``currencycode`` on a billed
    invoice narrows its lines to that currency. Seek paging; other providers (legacy
    ``office``, ``azure``) and usage lines have no lines in the sandbox (it sells licences
    only).

    New-commerce (``onetime``) billed lines of billing periods from April 2025 are served by
    reconciliation v2 only (cut-over 21 April 2025), and unbilled v1 was retired on 15 March
    2026: the sandbox refuses both. Microsoft documents the retirement, not the error answer;
    the sandbox answers 400 with :data:`V1_RETIRED_CODE` (its own choice, the stricter one).
    """
    number = req.params[0]
    provider = (req.query.get("provider") or "").lower()
    kind = (req.query.get("invoicelineitemtype") or "").lower()
    if not provider or not kind:
        raise bad_request("provider and invoicelineitemtype are required.")
    currency = (req.query.get("currencycode") or "").upper()
    modern = provider == "onetime" and kind == "billinglineitems"
    if number.lower() == "unbilled":
        period = (req.query.get("period") or "").lower()
        if not currency or period not in ("current", "previous"):
            raise bad_request("currencycode and period (current or previous) are required.")
        if modern and ctx.now() >= UNBILLED_V1_RETIRED:
            raise bad_request(RETIRED_V1, code=V1_RETIRED_CODE)
        number = "unbilled"
        lines = unbilled_lines(ctx, previous=period == "previous")
    elif number not in ctx.world.invoices:
        raise not_found(f"Invoice {number}")
    else:
        start = str(ctx.world.invoices[number].get("billingPeriodStartDate", ""))[:10]
        if modern and start >= V2_ONLY_FROM:
            raise bad_request(RETIRED_V1, code=V1_RETIRED_CODE)
        lines = ctx.world.invoice_lines.get(number, [])
    if provider != "onetime" or kind != "billinglineitems":
        lines = []
    if currency:
        lines = [line for line in lines if line["currency"] == currency]
    path = f"/v1/invoices/{number}/lineitems"
    # the next link keeps the request's provider, type, currency and period
    return Reply(200, seek_page(req, f"lines-{number}", lines, path))


def unbilled_lines(ctx: Context, *, previous: bool) -> list[JSON]:
    """The charges of the current (or previous) month, unless that month was invoiced."""
    now = datetime.fromtimestamp(ctx.clock(), tz=timezone.utc)
    year, month = now.year, now.month
    if previous:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    start = datetime(year, month, 1, tzinfo=timezone.utc)
    end = datetime(
        year, month, calendar.monthrange(year, month)[1], 23, 59, 59, tzinfo=timezone.utc
    )
    if any(i["billingPeriodStartDate"] == timestamp(start) for i in ctx.world.invoices.values()):
        return []
    lines: list[JSON] = []
    for customer in ctx.world.customers.values():
        for subscription in customer.subscriptions.values():
            line = _charge(ctx, customer, subscription, "", start, end)
            if line is not None:
                lines.append(line)
    return lines


def statement(ctx: Context, req: Request) -> Reply:
    """``GET /v1/invoices/{id}/documents/statement``: the invoice as a (one-page) PDF."""
    invoice = ctx.world.invoices.get(req.params[0])
    if invoice is None:
        raise not_found(f"Invoice {req.params[0]}")
    text = (
        f"Invoice {invoice['id']}  {invoice['billingPeriodStartDate'][:10]} - "
        f"{invoice['billingPeriodEndDate'][:10]}  total {invoice['totalCharges']:.2f} "
        f"{invoice['currencyCode']}"
    )
    return Reply(200, pdf_document(text), {"Content-Type": "application/pdf"})


def pdf_document(text: str) -> bytes:
    """A minimal valid PDF 1.4 of one A4 page showing ``text`` (ASCII) in Helvetica."""
    safe = text.encode("ascii", "replace").decode().replace("\\", "").replace("(", "[")
    safe = safe.replace(")", "]")
    stream = f"BT /F1 12 Tf 56 780 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
