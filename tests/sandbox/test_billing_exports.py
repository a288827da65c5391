"""The sandbox's reconciliation v2 (Graph's shapes and answers), its blob storage, the v1
retirement, and the MFA refusal, over the in-process transport."""

from __future__ import annotations

import gzip
import json
from urllib.parse import urlsplit

from csp_commerce.sandbox import Sandbox

from .conftest import FakeClock


def _graph(sandbox: Sandbox, token: str = "sandbox-app") -> object:
    return sandbox.httpx_client(token=token)


def _export(sandbox: Sandbox, body: dict[str, object]) -> tuple[int, dict[str, str], object]:
    with sandbox.httpx_client(token="sandbox-app") as http:
        answer = http.post("/v1.0/reports/partners/billing/reconciliation/billed/export", json=body)
        return answer.status_code, dict(answer.headers), answer.json() if answer.content else None


def test_an_export_is_accepted_polled_and_its_blob_is_gzip_json_lines(sandbox: Sandbox) -> None:
    number = sandbox.generate_large_invoice(3)["id"]
    status, headers, _ = _export(sandbox, {"invoiceId": number, "attributeSet": "full"})
    assert status == 202 and headers["retry-after"] == "1"
    operation = urlsplit(headers["location"]).path
    with sandbox.httpx_client(token="sandbox-app") as http:
        states = [http.get(operation).json() for _ in range(3)]
        assert [s["status"] for s in states] == ["running", "running", "succeeded"]
        assert states[0]["@odata.type"].endswith("runningOperation")
        manifest = states[2]["resourceLocation"]
        assert manifest["blobCount"] == 1 and manifest["dataFormat"] == "compressedJSONLines"
        url = f"{manifest['rootDirectory']}/{manifest['blobs'][0]['name']}?{manifest['sasToken']}"
        blob = http.get(url, headers={"Authorization": ""})
    assert blob.status_code == 200
    lines = gzip.decompress(blob.content).decode().splitlines()
    assert [json.loads(line)["orderId"] for line in lines] == [f"order{n:010d}" for n in range(3)]


def test_graph_errors_have_graph_shape(sandbox: Sandbox) -> None:
    status, _, body = _export(sandbox, {"invoiceId": "G404"})
    assert status == 404 and body == {
        "error": {"code": "NotFound", "message": "Invoice 'G404' was not found."}
    }
    status, _, body = _export(sandbox, {"invoiceId": "G1", "attributeSet": "everything"})
    assert status == 400 and body["error"]["code"] == "BadRequest"  # type: ignore[index]
    with sandbox.httpx_client(token="sandbox-app") as http:
        unknown = http.get("/reports/partners/billing/operations/nope")
        assert unknown.status_code == 404 and "error" in unknown.json()


def test_a_blob_needs_the_sas_of_its_export(sandbox: Sandbox, clock: FakeClock) -> None:
    number = sandbox.generate_large_invoice(2)["id"]
    _, headers, _ = _export(sandbox, {"invoiceId": number})
    with sandbox.httpx_client(token="sandbox-app") as http:
        for _ in range(3):
            answer = http.get(urlsplit(headers["location"]).path).json()
        manifest = answer["resourceLocation"]
        root = manifest["rootDirectory"] + "/" + manifest["blobs"][0]["name"]
        forged = manifest["sasToken"].replace("sig=", "sig=0")
        refused = http.get(f"{root}?{forged}")
        assert refused.status_code == 403 and refused.headers["x-ms-error-code"] == (
            "AuthenticationFailed"
        )
        assert http.get(f"{root}?{manifest['sasToken']}").status_code == 200
        clock.advance(3601)
        assert http.get(f"{root}?{manifest['sasToken']}").status_code == 403
        missing = http.get(f"{manifest['rootDirectory']}/part-09999.json.gz?{manifest['sasToken']}")
        assert missing.status_code == 403  # expired first; storage checks the SAS before the blob


def test_v1_refuses_what_only_v2_serves(sandbox: Sandbox, clock: FakeClock) -> None:
    before = sandbox.generate_invoice(2025, 1)["id"]
    after = sandbox.generate_invoice(2025, 4)["id"]
    query = "?provider=onetime&invoicelineitemtype=billinglineitems"
    with sandbox.httpx_client(token="sandbox-app") as http:
        assert http.get(f"/v1/invoices/{before}/lineitems{query}").status_code == 200
        refused = http.get(f"/v1/invoices/{after}/lineitems{query}")
        assert refused.status_code == 400 and "v2" in refused.json()["description"]
        unbilled = f"/v1/invoices/unbilled/lineitems{query}&currencycode=USD&period=current"
        assert http.get(unbilled).status_code == 200  # before 15 March 2026
        clock.now = 1_773_532_800.0  # 2026-03-15T00:00:00Z: unbilled v1 retired
        assert http.get(unbilled).status_code == 400


def test_an_app_user_token_without_mfa_is_refused_with_900421(sandbox: Sandbox) -> None:
    with sandbox.httpx_client(token="sandbox-user-nomfa") as http:
        refused = http.get("/v1/profiles/mpn")
        assert refused.status_code == 401 and refused.json()["code"] == 900421
        assert http.get("/v1/customers").status_code == 401  # every Partner Center call
    with sandbox.httpx_client(token="sandbox-user") as http:
        assert http.get("/v1/profiles/mpn").status_code == 200
