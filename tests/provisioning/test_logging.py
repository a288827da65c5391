"""No token or secret ever reaches a log line or an error message."""

from __future__ import annotations

import logging

import httpx
import msal
import pytest
import respx
from pc_fakes import BASE

from csp_commerce.errors import PartnerCenterError
from csp_commerce.provisioning import MemoryTokenStore, PartnerCenterClient, RefreshTokenCredential

from .test_auth import FakeApp

SECRET = "sup3r-s3cret-client-value"
REFRESH = "refresh-token-0-abcdef"


def test_nothing_secret_is_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(msal, "ConfidentialClientApplication", FakeApp)
    store = MemoryTokenStore(REFRESH)
    credential = RefreshTokenCredential("tenant", "app", store, client_secret=SECRET)
    errors: list[str] = []
    with caplog.at_level(logging.DEBUG), respx.mock(base_url=BASE) as router:
        router.get("/v1/customers/c-1").mock(
            side_effect=[
                httpx.Response(503),
                httpx.Response(429, headers={"Retry-After": "1"}),
                httpx.ReadTimeout("slow"),
                httpx.Response(200, json={"id": "c-1"}),
            ]
        )
        router.get("/v1/customers/c-2").respond(429, headers={"Retry-After": "9999"})
        router.get("/v1/customers/c-3").respond(401, json={"code": 800001, "description": "no"})
        client = PartnerCenterClient(credential, http_client=httpx.Client(), sleep=lambda _: None)
        client.customers.get("c-1")
        for customer in ("c-2", "c-3"):
            try:
                client.customers.get(customer)
            except PartnerCenterError as error:
                errors.append(str(error))
                errors.append(repr(error))
    access_tokens = {"at-1"}
    secrets = {SECRET, REFRESH, store.load() or "", *access_tokens}
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "'authorization': '***'" in text.lower()  # the header is there, redacted
    assert any("retrying" in record.getMessage() for record in caplog.records)
    assert any("headers=" in record.getMessage() for record in caplog.records)
    for secret in secrets:
        assert secret not in text
        assert all(secret not in message for message in errors)
        assert secret not in repr(client) and secret not in repr(credential)
    assert "Bearer at-1" not in text
