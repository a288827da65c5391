"""Sign-in as Partner Center runs it in 2026: 900421 is a typed MfaRequiredError that says what
to do, ``client.mfa.check`` sends ValidateMfa, and each cloud's audience is the current one."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from csp_commerce.errors import AppUserRequiredError, AuthenticationError, MfaRequiredError
from csp_commerce.models.clouds import ENDPOINTS, Cloud
from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.provisioning.resources.mfa import VALIDATE_MFA_HEADER
from csp_commerce.sandbox import Sandbox, SandboxCredential


def _client(sandbox: Sandbox, credential: SandboxCredential, seen: list[httpx.Request]) -> Any:
    transport = sandbox.transport()

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return transport.handle_request(request)

    http = httpx.Client(transport=httpx.MockTransport(record))
    return PartnerCenterClient(credential, http_client=http, sleep=lambda _: None)


def test_a_token_without_mfa_is_a_typed_error_telling_what_to_do() -> None:
    seen: list[httpx.Request] = []
    client = _client(Sandbox(seed=1), SandboxCredential(mfa=False), seen)
    with pytest.raises(MfaRequiredError) as caught:
        client.relationships.mpn_profile("1234567")
    error = caught.value
    assert isinstance(error, AuthenticationError)
    assert error.code == 900421 and error.status_code == 401
    assert "re-consent" in str(error) and "multi-factor" in str(error)
    assert len(seen) == 1  # not retried: only a new sign-in helps


def test_the_mfa_check_sends_validate_mfa_and_reads_the_refusal() -> None:
    sandbox = Sandbox(seed=2)
    seen: list[httpx.Request] = []
    good = _client(sandbox, SandboxCredential(), seen).mfa.check()
    assert good.compliant and seen[-1].headers[VALIDATE_MFA_HEADER] == "true"
    bad = _client(sandbox, SandboxCredential(mfa=False), seen).mfa.check()
    assert not bad.compliant and "900421" in bad.detail and bad.request_id


def test_an_app_only_credential_has_nothing_to_check() -> None:
    client = PartnerCenterClient(SandboxCredential(user=False), http_client=httpx.Client())
    with pytest.raises(AppUserRequiredError):
        client.mfa.check()


def test_a_compliance_flag_in_the_answer_is_read() -> None:
    with respx.mock(base_url="https://api.partnercenter.microsoft.com") as pc:
        pc.get("/v1/profiles/mpn").respond(200, json={"isMfaCompliant": False})
        status = PartnerCenterClient(SandboxCredential()).mfa.check()
    assert not status.compliant and "isMfaCompliant=False" in status.detail


def test_other_failures_of_the_check_are_raised() -> None:
    with respx.mock(base_url="https://api.partnercenter.microsoft.com") as pc:
        pc.get("/v1/profiles/mpn").respond(401, json={"code": 800001, "description": "no"})
        with pytest.raises(AuthenticationError) as caught:
            PartnerCenterClient(SandboxCredential()).mfa.check()
    assert not isinstance(caught.value, MfaRequiredError)


async def test_the_async_twin_checks_too() -> None:
    sandbox = Sandbox(seed=3)
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        client = AsyncPartnerCenterClient(SandboxCredential(mfa=False), http_client=http)
        assert not (await client.mfa.check()).compliant
        with pytest.raises(MfaRequiredError):
            await client.relationships.mpn_profile("1234567")


def test_each_cloud_uses_the_current_audience_and_token_route() -> None:
    assert ENDPOINTS[Cloud.GLOBAL].scope == "https://api.partnercenter.microsoft.com/.default"
    assert ENDPOINTS[Cloud.US_GOV].scope == "https://api.partnercenter.microsoft.com/.default"
    assert ENDPOINTS[Cloud.CHINA].scope == (
        "https://partner.partnercenterapi.microsoftonline.cn/.default"
    )
    for endpoints in ENDPOINTS.values():
        assert "graph.windows.net" not in endpoints.resource  # refused since August 2025
        assert endpoints.generate_token_route == "/v3/generatetoken"
    assert ENDPOINTS[Cloud.GLOBAL].graph_scope == "https://graph.microsoft.com/.default"
    assert [c for c, e in ENDPOINTS.items() if e.supports_reconciliation_v2] == [Cloud.GLOBAL]
