"""Handlers: billing reconciliation v2 on Microsoft Graph, and the export blobs' storage.

``POST /reports/partners/billing/{reconciliation|usage}/{billed|unbilled}/export`` answers 202
with the operation's ``Location``; the operation answers ``running`` (with ``Retry-After``) for
a few polls, then ``succeeded`` with the manifest, or ``failed``. An invoice whose billing
period starts before February 2024 is legacy data v2 does not have: its operation fails with
code 5000, as Graph does. The sandbox sells licences only, so usage exports have no lines.

Blobs are served under ``/storage/exports/{id}/{name}`` and need the manifest's SAS token
(``se`` expiry, ``sig`` signature): an expired or wrong one gets 403 ``AuthenticationFailed``,
an unknown blob 404 ``BlobNotFound``, as Azure Storage answers.

Graph's errors have Graph's shape, ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from csp_commerce.sandbox._http import Context, Reply, Request, timestamp
from csp_commerce.sandbox.exports import ExportJob, etag_of
from csp_commerce.sandbox.invoice_routes import unbilled_lines

if TYPE_CHECKING:
    from collections.abc import Callable

    from csp_commerce.sandbox.state import JSON

#: Billed reconciliation v2 has data from this billing period on; older invoices are legacy.
V2_FIRST_PERIOD = "2024-02-01"
LEGACY_CODE = "5000"
LEGACY_MESSAGE = (
    "No reconciliation data available for the invoice; legacy commerce invoices are read with "
    "the v1 invoice line items API."
)
OPERATIONS = "/reports/partners/billing/operations/"
ATTRIBUTE_SETS = ("full", "basic")
#: Exports kept (with their blobs); older ones answer 404 as expired operations do.
MAX_JOBS = 32


def _graph_error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"error": {"code": code, "message": message}})


def _base(req: Request) -> str:
    host = req.headers.get("host") or "graph.sandbox.invalid"
    return f"http://{host}"


def _body(req: Request) -> JSON | Reply:
    body = req.body
    if not isinstance(body, dict):
        return _graph_error(400, "BadRequest", "The request body must be a JSON object.")
    attribute_set = str(body.get("attributeSet") or "full")
    if attribute_set not in ATTRIBUTE_SETS:
        return _graph_error(400, "BadRequest", "attributeSet must be full or basic.")
    return body


def _accept(ctx: Context, req: Request, job: ExportJob) -> Reply:
    jobs = ctx.exports.jobs
    jobs[job.id] = job
    while len(jobs) > MAX_JOBS:  # Graph's operations expire; the oldest go first here
        del jobs[next(iter(jobs))]
    location = _base(req) + OPERATIONS + job.id
    return Reply(202, None, {"Location": location, "Retry-After": str(job.settings.retry_after)})


def _new_job(ctx: Context, kind: str, lines: list[JSON] | None, count: int = 0) -> ExportJob:
    settings = ctx.exports.settings
    line: Callable[[int], JSON]
    if lines is not None:
        snapshot = list(lines)
        count = len(snapshot)
        line = snapshot.__getitem__
        etag = etag_of(kind, snapshot)
    else:
        line = _generated_line
        etag = etag_of(f"{kind}:generated:{count}", [])
    return ExportJob(
        id=ctx.world.next_id(),
        created=timestamp(ctx.now()),
        count=count,
        line=line,
        etag=etag,
        polls_left=settings.polls,
        settings=settings,
    )


def billed_export(ctx: Context, req: Request) -> Reply:
    """``POST .../{reconciliation|usage}/billed/export`` ``{invoiceId, attributeSet}``."""
    body = _body(req)
    if isinstance(body, Reply):
        return body
    number = str(body.get("invoiceId") or "")
    invoice = ctx.world.invoices.get(number)
    if invoice is None:
        return _graph_error(404, "NotFound", f"Invoice {number!r} was not found.")
    usage = "/usage/" in req.path
    kind = f"{'usage' if usage else 'reconciliation'}:billed:{number}"
    generated = ctx.exports.generated.get(number)
    if usage:
        job = _new_job(ctx, kind, [])
    elif generated is not None:
        job = _new_job(ctx, kind, None, generated)
    else:
        job = _new_job(ctx, kind, ctx.world.invoice_lines.get(number, []))
    if str(invoice.get("billingPeriodStartDate", ""))[:10] < V2_FIRST_PERIOD:
        job.failure = (LEGACY_CODE, LEGACY_MESSAGE)
    return _accept(ctx, req, job)


def unbilled_export(ctx: Context, req: Request) -> Reply:
    """``POST .../{reconciliation|usage}/unbilled/export`` ``{billingPeriod, currencyCode}``."""
    body = _body(req)
    if isinstance(body, Reply):
        return body
    period = str(body.get("billingPeriod") or "").lower()
    currency = str(body.get("currencyCode") or "").upper()
    if period not in ("current", "last") or len(currency) != 3:
        return _graph_error(
            400, "BadRequest", "billingPeriod (current or last) and currencyCode are required."
        )
    usage = "/usage/" in req.path
    kind = f"{'usage' if usage else 'reconciliation'}:unbilled:{period}:{currency}"
    lines = [] if usage else unbilled_lines(ctx, previous=period == "last")
    job = _new_job(ctx, kind, [line for line in lines if line["currency"] == currency])
    return _accept(ctx, req, job)


def get_operation(ctx: Context, req: Request) -> Reply:
    """``GET /reports/partners/billing/operations/{id}``: running, succeeded or failed."""
    job = ctx.exports.jobs.get(req.params[0])
    if job is None:
        return _graph_error(404, "NotFound", "The operation was not found.")
    now = timestamp(ctx.now())
    settings = job.settings
    if settings.never_finish or job.polls_left > 0:
        job.polls_left -= 1
        body = _operation(job, "running", now)
        return Reply(200, body, {"Retry-After": str(settings.retry_after)})
    failure = settings.fail or job.failure
    if failure is not None:
        body = _operation(job, "failed", now)
        body["error"] = {"code": failure[0], "message": failure[1]}
        return Reply(200, body)
    body = _operation(job, "succeeded", now)
    body["resourceLocation"] = _manifest(ctx, req, job)
    return Reply(200, body)


def _operation(job: ExportJob, status: str, now: str) -> JSON:
    kind = {"running": "runningOperation", "succeeded": "exportSuccessOperation"}.get(
        status, "failedOperation"
    )
    return {
        "@odata.type": f"#microsoft.graph.partners.billing.{kind}",
        "id": job.id,
        "createdDateTime": job.created,
        "lastActionDateTime": now,
        "status": status,
    }


def _manifest(ctx: Context, req: Request, job: ExportJob) -> JSON:
    if not job.sas_expiry:
        job.sas_expiry = int(ctx.clock()) + job.settings.sas_lifetime
    expiry = datetime.fromtimestamp(job.sas_expiry, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    sas = f"sv=2023-11-03&sr=c&sp=r&se={expiry}&sig={ctx.exports.signature(job.id, expiry)}"
    names = job.blob_names()
    return {
        "id": job.id,
        "schemaVersion": "2",
        "dataFormat": "compressedJSONLines",
        "createdDateTime": job.created,
        "eTag": job.etag,
        "partnerTenantId": ctx.world.partner_tenant_id,
        "rootDirectory": f"{_base(req)}/storage/exports/{job.id}",
        "sasToken": sas,
        "partitionType": "default",
        "blobCount": len(names),
        "blobs": [{"name": name, "partitionValue": "default"} for name in names],
    }


def get_blob(ctx: Context, req: Request) -> Reply:
    """``GET /storage/exports/{id}/{name}?se=..&sig=..``: one gzip JSON-lines blob."""
    export_id, name = req.params
    expiry = req.query.get("se") or ""
    signature = req.query.get("sig") or ""
    job = ctx.exports.jobs.get(export_id)
    if job is None or signature != ctx.exports.signature(export_id, expiry):
        return _storage_error(403, "AuthenticationFailed", "Signature did not match.")
    try:
        ends = datetime.strptime(expiry, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return _storage_error(403, "AuthenticationFailed", "Signed expiry is not valid.")
    if ends <= ctx.now():
        return _storage_error(403, "AuthenticationFailed", "Signed expiry time has passed.")
    names = job.blob_names()
    if name not in names or job.settings.missing_blob == names.index(name):
        return _storage_error(404, "BlobNotFound", "The specified blob does not exist.")
    return Reply(
        200,
        job.blob_bytes(names.index(name)),
        {"Content-Type": "application/octet-stream", "ETag": f'"{job.etag}"'},
    )


def _storage_error(status: int, code: str, message: str) -> Reply:
    text = f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code>'
    text += f"<Message>{message}</Message></Error>"
    return Reply(
        status, text.encode(), {"Content-Type": "application/xml", "x-ms-error-code": code}
    )


# ---------------------------------------------------------------------------------------------
# Generated invoices (benchmarks): lines made on demand from their number


def generate_large_invoice(ctx: Context, lines: int, *, year: int = 2026, month: int = 10) -> JSON:
    """An invoice of ``lines`` generated line items (served by v2 only; nothing is stored per
    line)."""
    start = datetime(year, month, 1, tzinfo=timezone.utc)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(seconds=1)
    number = f"G{len(ctx.world.invoices) + 1:09d}"
    invoice = {
        "id": number,
        "invoiceDate": timestamp(end),
        "billingPeriodStartDate": timestamp(start),
        "billingPeriodEndDate": timestamp(end),
        "totalCharges": float(lines * 12),
        "paidAmount": 0.0,
        "currencyCode": "USD",
        "currencySymbol": "$",
        "documentType": "Invoice",
        "invoiceType": "OneTime",
        "invoiceDetails": [],
        "attributes": {"objectType": "Invoice"},
    }
    ctx.world.invoices[number] = invoice
    ctx.world.invoice_lines[number] = []
    ctx.exports.generated[number] = lines
    return invoice


def _generated_line(number: int) -> dict[str, Any]:
    customer = f"{number % 997:08d}-0000-4000-8000-000000000000"
    subscription = f"{number:08d}-1111-4000-8000-000000000000"
    quantity = 1 + number % 25
    return {
        "partnerId": "00000000-0000-4000-8000-00000000beef",
        "customerId": customer,
        "customerName": f"Customer {number % 997}",
        "customerDomainName": f"customer{number % 997}.onmicrosoft.com",
        "customerCountry": "US",
        "invoiceNumber": "G000000001",
        "mpnId": "1234567",
        "resellerMpnId": "",
        "orderId": f"order{number:010d}",
        "orderDate": "2026-10-01T00:00:00Z",
        "productId": "CFQ7TTC0LH18",
        "skuId": "0001",
        "availabilityId": "CFQ7TTC0K5QJ",
        "productName": "Microsoft 365 Business Basic",
        "skuName": "Microsoft 365 Business Basic",
        "chargeType": "cycleCharge",
        "unitPrice": 6.0,
        "effectiveUnitPrice": 6.0,
        "unitType": "Licenses",
        "quantity": quantity,
        "billableQuantity": quantity,
        "subtotal": 6.0 * quantity,
        "taxTotal": 0.0,
        "totalForCustomer": 6.0 * quantity,
        "currency": "USD",
        "publisherName": "Microsoft Corporation",
        "subscriptionDescription": "Microsoft 365 Business Basic",
        "subscriptionId": subscription,
        "subscriptionStartDate": "2026-01-01T00:00:00Z",
        "subscriptionEndDate": "2026-12-31T00:00:00Z",
        "chargeStartDate": "2026-10-01T00:00:00Z",
        "chargeEndDate": "2026-10-31T00:00:00Z",
        "termAndBillingCycle": "1 Year commitment for monthly billing",
        "billingFrequency": "Monthly",
        "pricingCurrency": "USD",
        "pcToBCExchangeRate": 1.0,
        "meterDescription": "",
        "promotionId": "",
    }
