"""Billing reconciliation v2 (Microsoft Graph): the four exports and their streamed line items.

An export is one flow: ``POST .../export`` answers 202 with a ``Location``; the operation there
is polled (Retry-After honoured, else a growing interval) until it succeeds (its manifest is the
result), fails (:class:`~csp_commerce.errors.ExportFailedError`; code 5000 is
:class:`~csp_commerce.errors.LegacyInvoiceError`) or the bounded wait runs out
(:class:`~csp_commerce.errors.ExportTimeoutError`). ``line_items(manifest)`` then streams the
blobs (see :mod:`csp_commerce.provisioning.blobs`).

Graph offers these exports in the global cloud only (``supports_reconciliation_v2``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from csp_commerce import errors as E
from csp_commerce.provisioning._core import Call, Flow, Wait, model
from csp_commerce.provisioning.blobs import BlobPlan, BlobRead
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    operation,
    stream,
)
from csp_commerce.provisioning.wire.reconciliation import (
    ExportManifest,
    ExportOperation,
    ReconciliationLineItem,
    export_body,
)

if TYPE_CHECKING:
    import httpx

BILLING = "/reports/partners/billing"
OPERATIONS = BILLING + "/operations/"
#: Graph's code for an invoice v2 has no data for (legacy commerce: read it with v1).
LEGACY_CODE = "5000"
#: The longest pause between two polls when Graph gives no Retry-After.
MAX_POLL_INTERVAL = 60.0


@dataclass(frozen=True)
class Accepted:
    """The 202 of an export: where its operation is, and when to look first."""

    location: str
    retry_after: float | None
    request_id: str = ""


@dataclass(frozen=True)
class Polled:
    """One poll of an operation: its state, Graph's Retry-After, and the request id sent."""

    operation: ExportOperation
    retry_after: float | None
    request_id: str


def _retry_after(response: httpx.Response) -> float | None:
    try:
        value = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _request_id(response: httpx.Response) -> str:
    return response.request.headers.get("MS-RequestId", "") if response.request else ""


def _accepted(response: httpx.Response) -> Accepted:
    location = response.headers.get("Location")
    if not location:
        raise ValueError("the export's 202 answer has no Location header")
    return Accepted(location, _retry_after(response), _request_id(response))


def _polled(response: httpx.Response) -> Polled:
    operation = model(ExportOperation)(response)
    return Polled(operation, _retry_after(response), _request_id(response))


def operation_path(location: str) -> str:
    """The operation's path under the Graph base (Graph's Location is absolute)."""
    at = location.find(OPERATIONS)
    return location[at:] if at >= 0 else location


def _export(
    path: str,
    body: dict[str, object],
    *,
    max_wait: float,
    poll_interval: float,
) -> Flow[ExportManifest]:
    accepted = yield Call(
        "POST",
        path,
        _accepted,
        json=body,
        graph=True,
        capability="supports_reconciliation_v2",
    )
    assert isinstance(accepted, Accepted)
    location = operation_path(accepted.location)
    waited, interval = 0.0, poll_interval
    pause = accepted.retry_after if accepted.retry_after is not None else interval
    while True:
        if waited + pause > max_wait:
            raise E.ExportTimeoutError(
                f"the export at {location} was still running after {waited:g}s (max_wait "
                f"{max_wait:g}s); no report is built",
                request_id=accepted.request_id,
            )
        yield Wait(pause)
        waited += pause
        polled = yield Call(
            "GET", location, _polled, graph=True, capability="supports_reconciliation_v2"
        )
        assert isinstance(polled, Polled)
        operation = polled.operation
        if operation.state == "succeeded":
            return _checked(operation, polled.request_id)
        if operation.state == "failed":
            raise _failure(operation, polled.request_id)
        interval = min(interval * 2, MAX_POLL_INTERVAL)
        pause = polled.retry_after if polled.retry_after is not None else interval


def _checked(operation: ExportOperation, request_id: str) -> ExportManifest:
    manifest = operation.resource_location
    if manifest is None:
        raise E.ManifestError(
            "the export succeeded without a manifest (resourceLocation)", request_id=request_id
        )
    if manifest.blob_count != len(manifest.blobs):
        raise E.ManifestError(
            f"the manifest counts {manifest.blob_count} blob(s) but lists {len(manifest.blobs)}",
            request_id=request_id,
        )
    return manifest


def _failure(operation: ExportOperation, request_id: str) -> E.ExportFailedError:
    error = operation.error
    code = None if error is None or error.code is None else str(error.code)
    message = (error.message if error else None) or "no message"
    cls = E.LegacyInvoiceError if code == LEGACY_CODE else E.ExportFailedError
    return cls(
        f"the export failed: code {code}: {message}",
        request_id=request_id,
        code=int(code) if code and code.isdigit() else code,
        description=message,
    )


def _export_billed(
    invoice_id: str,
    *,
    usage: bool = False,
    attribute_set: str = "full",
    max_wait: float = 1800.0,
    poll_interval: float = 5.0,
) -> Flow[ExportManifest]:
    """Export a billed invoice's reconciliation line items (``usage``: its daily-rated usage)
    and wait for the manifest (at most ``max_wait`` seconds)."""
    area = "usage" if usage else "reconciliation"
    body = export_body(
        invoice_id=invoice_id, billing_period=None, currency_code=None, attribute_set=attribute_set
    )
    return _export(
        f"{BILLING}/{area}/billed/export", body, max_wait=max_wait, poll_interval=poll_interval
    )


def _export_unbilled(
    *,
    billing_period: str = "current",
    currency_code: str = "USD",
    usage: bool = False,
    attribute_set: str = "full",
    max_wait: float = 1800.0,
    poll_interval: float = 5.0,
) -> Flow[ExportManifest]:
    """Export the not yet invoiced line items of ``billing_period`` (``current`` or ``last``)
    in ``currency_code`` (``usage``: daily-rated usage) and wait for the manifest."""
    area = "usage" if usage else "reconciliation"
    body = export_body(
        invoice_id=None,
        billing_period=billing_period,
        currency_code=currency_code,
        attribute_set=attribute_set,
    )
    return _export(
        f"{BILLING}/{area}/unbilled/export", body, max_wait=max_wait, poll_interval=poll_interval
    )


def _line_items(manifest: ExportManifest) -> BlobPlan[ReconciliationLineItem]:
    """Stream the export's line items blob by blob (gzip JSON lines; a line that is not a line
    item comes as a ``BadRow``)."""
    if manifest.data_format.lower() != "compressedjsonlines":
        raise E.ManifestError(
            f"the manifest's dataFormat {manifest.data_format!r} is not compressedJSONLines",
            request_id=manifest.id or "",
        )
    blobs = tuple(BlobRead(blob.name, manifest.blob_url(blob)) for blob in manifest.blobs)
    return BlobPlan(blobs, ReconciliationLineItem)


class _Operations:
    export_billed = operation(_export_billed)
    export_unbilled = operation(_export_unbilled)
    line_items = stream(_line_items)


class Reconciliation(SyncResource, _Operations):
    """``client.reconciliation``: billing reconciliation v2 exports on Microsoft Graph."""


class AsyncReconciliation(AsyncResource, _Operations):
    """``client.reconciliation`` (async): billing reconciliation v2 exports on Microsoft Graph."""
