"""Billing reconciliation v2 through both clients against the sandbox: exports polled to their
manifest, blobs streamed into typed line items, and every bad input a typed error or a bad row."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
import respx

from csp_commerce.errors import (
    BlobCorruptError,
    BlobMissingError,
    ExportFailedError,
    ExportTimeoutError,
    LegacyInvoiceError,
    ManifestError,
    OperationNotSupportedError,
    SasExpiredError,
)
from csp_commerce.models.clouds import Cloud
from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.provisioning.blobs import BadRow, JsonLinesDecoder
from csp_commerce.provisioning.wire import ExportManifest, ReconciliationLineItem
from csp_commerce.sandbox import Sandbox, SandboxCredential
from provisioning.test_sandbox_roundtrip import onboard

JANUARY_2025 = datetime(2025, 1, 10, tzinfo=timezone.utc).timestamp()


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def world(seed: int = 1, when: float = JANUARY_2025) -> tuple[Sandbox, Clock, str]:
    """A sandbox with one customer bought in January 2025 and that month's invoice."""
    clock = Clock(when)
    sandbox = Sandbox(seed=seed, clock=clock)
    with httpx.Client(transport=sandbox.transport()) as http:
        onboard(PartnerCenterClient(SandboxCredential(), http_client=http, clock=clock))
    day = datetime.fromtimestamp(when, timezone.utc)
    number = sandbox.generate_invoice(day.year, day.month)["id"]
    return sandbox, clock, number


def client_of(sandbox: Sandbox, sleeps: list[float]) -> PartnerCenterClient:
    http = httpx.Client(transport=sandbox.transport())
    return PartnerCenterClient(SandboxCredential(), http_client=http, sleep=sleeps.append)


def test_billed_export_polls_then_streams_the_same_lines_as_v1() -> None:
    sandbox, _, number = world()
    sleeps: list[float] = []
    client = client_of(sandbox, sleeps)
    manifest = client.reconciliation.export_billed(number)
    assert sleeps == [1.0, 1.0, 1.0]  # Retry-After of the 202 and of two running polls
    assert manifest.data_format == "compressedJSONLines" and manifest.blob_count == 1
    assert manifest.e_tag and manifest.sas_token and manifest.root_directory
    items = list(client.reconciliation.line_items(manifest))
    v1 = list(client.invoices.line_items(number))
    assert items and all(isinstance(item, ReconciliationLineItem) for item in items)
    assert [(i.subscription_id, i.quantity, i.unit_price) for i in items] == [  # type: ignore[union-attr]
        (line.subscription_id, line.quantity, line.unit_price) for line in v1
    ]
    # fields the model does not name are kept
    assert items[0].model_extra and "invoiceLineItemType" in items[0].model_extra  # type: ignore[union-attr]


def test_retry_after_is_honoured_and_the_etag_is_stable_until_the_data_changes() -> None:
    sandbox, clock, number = world(seed=2)
    sandbox.exports.settings.retry_after = 7
    sleeps: list[float] = []
    client = client_of(sandbox, sleeps)
    first = client.reconciliation.export_billed(number)
    assert sleeps == [7.0, 7.0, 7.0]
    assert client.reconciliation.export_billed(number).e_tag == first.e_tag
    clock.now += 31 * 86400  # February: not invoiced yet
    unbilled = client.reconciliation.export_unbilled(currency_code="USD")
    assert unbilled.blob_count == 1
    assert client.reconciliation.export_unbilled(currency_code="USD").e_tag == unbilled.e_tag
    customer = next(iter(sandbox.world.customers.values()))
    next(iter(customer.subscriptions.values()))["quantity"] += 1
    assert client.reconciliation.export_unbilled(currency_code="USD").e_tag != unbilled.e_tag


def test_lines_come_from_several_blobs_in_order() -> None:
    sandbox, _, _ = world(seed=3)
    number = sandbox.generate_large_invoice(25)["id"]
    sandbox.exports.settings.lines_per_blob = 10
    client = client_of(sandbox, [])
    manifest = client.reconciliation.export_billed(number)
    assert manifest.blob_count == 3 == len(manifest.blobs)
    items = list(client.reconciliation.line_items(manifest))
    assert [item.order_id for item in items] == [f"order{n:010d}" for n in range(25)]  # type: ignore[union-attr]


def test_a_legacy_invoice_fails_with_code_5000() -> None:
    sandbox, _, number = world(seed=4, when=datetime(2023, 12, 5, tzinfo=timezone.utc).timestamp())
    with pytest.raises(LegacyInvoiceError) as caught:
        client_of(sandbox, []).reconciliation.export_billed(number)
    assert caught.value.code == 5000 and caught.value.request_id


def test_an_export_that_never_finishes_is_a_bounded_wait_then_a_typed_error() -> None:
    sandbox, _, number = world(seed=5)
    sandbox.exports.settings.never_finish = True
    sleeps: list[float] = []
    with pytest.raises(ExportTimeoutError):
        client_of(sandbox, sleeps).reconciliation.export_billed(number, max_wait=30)
    assert sum(sleeps) <= 30 and len(sleeps) == 30


def test_an_export_that_fails_is_a_typed_error() -> None:
    sandbox, _, number = world(seed=6)
    sandbox.exports.settings.fail = ("InternalError", "The export could not be produced.")
    with pytest.raises(ExportFailedError) as caught:
        client_of(sandbox, []).reconciliation.export_billed(number)
    assert not isinstance(caught.value, LegacyInvoiceError)
    assert caught.value.description == "The export could not be produced."


def test_a_missing_blob_is_a_typed_error() -> None:
    sandbox, _, _ = world(seed=7)
    number = sandbox.generate_large_invoice(6)["id"]
    sandbox.exports.settings.lines_per_blob = 3
    sandbox.exports.settings.missing_blob = 1
    client = client_of(sandbox, [])
    manifest = client.reconciliation.export_billed(number)
    with pytest.raises(BlobMissingError):
        list(client.reconciliation.line_items(manifest))


def test_a_truncated_blob_is_a_typed_error() -> None:
    sandbox, _, _ = world(seed=8)
    number = sandbox.generate_large_invoice(200)["id"]
    sandbox.exports.settings.truncated_blob = 0
    client = client_of(sandbox, [])
    manifest = client.reconciliation.export_billed(number)
    with pytest.raises(BlobCorruptError, match="truncated"):
        list(client.reconciliation.line_items(manifest))


def test_a_line_that_is_not_json_is_a_reported_bad_row() -> None:
    sandbox, _, _ = world(seed=9)
    number = sandbox.generate_large_invoice(8)["id"]
    sandbox.exports.settings.lines_per_blob = 4
    sandbox.exports.settings.bad_line = (1, 2)
    client = client_of(sandbox, [])
    out = list(client.reconciliation.line_items(client.reconciliation.export_billed(number)))
    bad = [row for row in out if isinstance(row, BadRow)]
    assert len(out) == 8 and len(bad) == 1
    assert (bad[0].blob, bad[0].line) == ("part-00001.json.gz", 3)


def test_a_sas_token_expiring_mid_download_is_a_typed_error() -> None:
    sandbox, clock, _ = world(seed=10)
    number = sandbox.generate_large_invoice(4)["id"]
    sandbox.exports.settings.lines_per_blob = 2
    client = client_of(sandbox, [])
    manifest = client.reconciliation.export_billed(number)
    stream = client.reconciliation.line_items(manifest)
    assert next(stream) and next(stream)  # the first blob
    clock.now += sandbox.exports.settings.sas_lifetime + 1
    with pytest.raises(SasExpiredError, match="run the export again"):
        next(stream)


def test_a_manifest_whose_count_disagrees_with_its_blobs_is_refused() -> None:
    with respx.mock(base_url="https://graph.microsoft.com/v1.0") as graph:
        graph.post("/reports/partners/billing/reconciliation/billed/export").respond(
            202,
            headers={
                "Location": "https://graph.microsoft.com/v1.0/reports/partners/billing/operations/op1"
            },
        )
        manifest = {
            "eTag": "e",
            "blobCount": 2,
            "blobs": [{"name": "a.json.gz"}],
            "rootDirectory": "https://blobs.example/x",
            "sasToken": "sig=1",
            "dataFormat": "compressedJSONLines",
        }
        graph.get("/reports/partners/billing/operations/op1").respond(
            200, json={"status": "succeeded", "resourceLocation": manifest}
        )
        client = PartnerCenterClient(SandboxCredential(), sleep=lambda _: None)
        with pytest.raises(ManifestError, match="counts 2"):
            client.reconciliation.export_billed("G1")


def test_without_retry_after_the_poll_interval_grows() -> None:
    with respx.mock(base_url="https://graph.microsoft.com/v1.0") as graph:
        graph.post("/reports/partners/billing/usage/unbilled/export").respond(
            202, headers={"Location": "/reports/partners/billing/operations/op2"}
        )
        route = graph.get("/reports/partners/billing/operations/op2")
        running = httpx.Response(200, json={"status": "running"})
        done = {
            "status": "succeeded",
            "resourceLocation": {
                "eTag": "e",
                "blobCount": 0,
                "blobs": [],
                "rootDirectory": "https://blobs.example/x",
                "sasToken": "sig=1",
            },
        }
        route.side_effect = [running, running, running, httpx.Response(200, json=done)]
        sleeps: list[float] = []
        client = PartnerCenterClient(SandboxCredential(), sleep=sleeps.append)
        manifest = client.reconciliation.export_unbilled(usage=True, poll_interval=2)
        assert sleeps == [2.0, 4.0, 8.0, 16.0]
        assert json.loads(graph.calls[0].request.content) == {
            "billingPeriod": "current",
            "currencyCode": "USD",
            "attributeSet": "full",
        }
        assert graph.calls[0].request.url.host == "graph.microsoft.com"
        assert list(client.reconciliation.line_items(manifest)) == []


def test_graph_calls_carry_a_graph_token_and_blobs_no_bearer_token() -> None:
    scopes: list[str] = []

    class Recording(SandboxCredential):
        def get_token(self, *wanted: str, **kwargs: Any) -> Any:
            scopes.extend(wanted)
            return super().get_token(*wanted)

    sandbox, _, number = world(seed=11)
    seen: list[httpx.Request] = []
    transport = sandbox.transport()

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return transport.handle_request(request)

    http = httpx.Client(transport=httpx.MockTransport(record))
    client = PartnerCenterClient(Recording(), http_client=http, sleep=lambda _: None)
    list(client.reconciliation.line_items(client.reconciliation.export_billed(number)))
    assert scopes == ["https://graph.microsoft.com/.default"]
    blob = [r for r in seen if "/storage/" in r.url.path]
    assert blob and "authorization" not in blob[0].headers


def test_national_clouds_have_no_reconciliation_v2() -> None:
    for cloud in (Cloud.CHINA, Cloud.US_GOV):
        client = PartnerCenterClient(SandboxCredential(), cloud=cloud)
        with pytest.raises(OperationNotSupportedError):
            client.reconciliation.export_billed("G1")


async def test_the_async_twin_exports_and_streams() -> None:
    sandbox, _, number = world(seed=12)
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        client = AsyncPartnerCenterClient(SandboxCredential(), http_client=http, sleep=sleep)
        manifest = await client.reconciliation.export_billed(number)
        items = [item async for item in client.reconciliation.line_items(manifest)]
    assert sleeps == [1.0, 1.0, 1.0]
    assert [i.subscription_id for i in items] == [  # type: ignore[union-attr]
        line["subscriptionId"] for line in sandbox.world.invoice_lines[number]
    ]


async def test_the_async_twin_reports_a_truncated_blob() -> None:
    sandbox, _, _ = world(seed=13)
    number = sandbox.generate_large_invoice(50)["id"]
    sandbox.exports.settings.truncated_blob = 0

    async def sleep(seconds: float) -> None:
        return None

    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        client = AsyncPartnerCenterClient(SandboxCredential(), http_client=http, sleep=sleep)
        manifest = await client.reconciliation.export_billed(number)
        with pytest.raises(BlobCorruptError):
            [item async for item in client.reconciliation.line_items(manifest)]


# -- the decoder alone ----------------------------------------------------------------------


def _lines(count: int) -> bytes:
    return b"".join(
        json.dumps({"subscriptionId": f"s{n}", "quantity": n, "newField": n}).encode() + b"\n"
        for n in range(count)
    )


def test_the_decoder_takes_any_chunking_and_gzip_members() -> None:
    data = gzip.compress(_lines(5)) + gzip.compress(_lines(3))
    for size in (1, 7, 64, len(data)):
        decoder = JsonLinesDecoder("b", ReconciliationLineItem, "r")
        out: list[Any] = []
        for start in range(0, len(data), size):
            out += decoder.feed(data[start : start + size])
        out += decoder.finish()
        assert [item.quantity for item in out] == [0, 1, 2, 3, 4, 0, 1, 2]
        assert out[0].model_extra == {"newField": 0}


def test_the_decoder_inflates_a_bounded_piece_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("csp_commerce.provisioning.blobs.PIECE", 100)
    data = gzip.compress(_lines(2000))  # inflates ~120 times larger than one piece
    decoder = JsonLinesDecoder("b", ReconciliationLineItem, "r")
    pieces = decoder.feed(data)
    first = next(pieces)  # the first item comes before the whole chunk is inflated
    assert isinstance(first, ReconciliationLineItem) and len(decoder._rest) < 200
    assert len(list(pieces)) + 1 + len(decoder.finish()) == 2000


def test_the_decoder_refuses_what_is_not_gzip() -> None:
    decoder = JsonLinesDecoder("b", ReconciliationLineItem, "r")
    with pytest.raises(BlobCorruptError, match="not gzip"):
        list(decoder.feed(b"plain text, not gzip at all"))


def test_a_line_of_the_wrong_shape_is_a_bad_row_naming_the_field() -> None:
    decoder = JsonLinesDecoder("b", ReconciliationLineItem, "r")
    out = list(decoder.feed(gzip.compress(b'{"quantity": "many"}\n{"quantity": 2}\n')))
    out += decoder.finish()
    assert isinstance(out[0], BadRow) and out[0].line == 1 and "quantity" in out[0].error
    assert isinstance(out[1], ReconciliationLineItem)


def test_manifest_blob_urls_join_root_name_and_sas() -> None:
    manifest = ExportManifest.model_validate(
        {
            "eTag": "e",
            "blobCount": 1,
            "blobs": [{"name": "part-1.json.gz"}],
            "rootDirectory": "https://acct.blob.core.windows.net/c/dir/",
            "sasToken": "?sv=1&sig=x",
        }
    )
    assert manifest.blob_url(manifest.blobs[0]) == (
        "https://acct.blob.core.windows.net/c/dir/part-1.json.gz?sv=1&sig=x"
    )


class _CutStream(httpx.SyncByteStream):
    """A body that breaks off after its first chunk (a connection reset mid-download)."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def __iter__(self) -> Any:
        yield self.content[:100]
        raise httpx.ReadError("connection reset by peer")


def test_a_download_cut_mid_blob_is_a_typed_error_not_half_a_blob() -> None:
    from csp_commerce.errors import APIConnectionError

    sandbox, _, _ = world(seed=14)
    number = sandbox.generate_large_invoice(500)["id"]
    transport = sandbox.transport()

    def cutting(request: httpx.Request) -> httpx.Response:
        response = transport.handle_request(request)
        if "/storage/" not in request.url.path:
            return response
        return httpx.Response(200, stream=_CutStream(response.read()), request=request)

    http = httpx.Client(transport=httpx.MockTransport(cutting))
    client = PartnerCenterClient(SandboxCredential(), http_client=http, sleep=lambda _: None)
    manifest = client.reconciliation.export_billed(number)
    with pytest.raises(APIConnectionError, match="broke off"):
        list(client.reconciliation.line_items(manifest))
