"""The client's loop over HTTP: headers, request ids, retries, error mapping, preflight."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
import respx
from pc_fakes import TOKEN, FakeCredential, Sleeps, pc_error

from csp_commerce.errors import (
    AgreementAlreadyConfirmedError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AppUserRequiredError,
    AuthenticationError,
    BadRequestError,
    CartAlreadySubmittedError,
    CartBusyError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    McaNotAcceptedError,
    MpaStatusError,
    NotFoundError,
    OperationNotSupportedError,
    OrderInProgressError,
    PermissionDeniedError,
    PhoneNumberRequiredError,
    PreconditionFailedError,
    RateLimitError,
    RegistrationNumberError,
    ResponseValidationError,
    StaleETagError,
    UnknownMpnError,
)
from csp_commerce.models.clouds import Cloud, CloudEndpoints
from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.provisioning.auth import CredentialKind
from csp_commerce.provisioning.wire import CartLineItem, PrimaryContact

CUSTOMER = {"id": "c-1", "companyProfile": {"domain": "contoso.onmicrosoft.com"}}


def request_ids(route: respx.Route) -> list[str]:
    return [call.request.headers["MS-RequestId"] for call in route.calls]


def test_every_request_carries_partner_center_headers(
    router: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = router.get("/v1/customers/c-1").respond(json=CUSTOMER)
    with PartnerCenterClient(
        FakeCredential(),
        http_client=httpx.Client(),
        locale="de-DE",
        application_name="Contoso BSS",
        correlation_id="corr-1",
    ) as client:
        client.customers.get("c-1")
    headers = route.calls.last.request.headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["MS-Contract-Version"] == "v1"
    assert headers["X-Locale"] == "de-DE"
    assert headers["MS-PartnerCenter-Application"] == "Contoso BSS"
    assert headers["MS-CorrelationId"] == "corr-1"
    assert headers["Accept"] == "application/json"
    assert len(headers["MS-RequestId"]) == 36


def test_same_request_id_on_every_attempt_new_one_per_operation(
    client: PartnerCenterClient, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = router.get("/v1/customers/c-1").mock(
        side_effect=[httpx.Response(503), httpx.Response(500), httpx.Response(200, json=CUSTOMER)]
    )
    client.customers.get("c-1")
    first = request_ids(route)
    assert len(first) == 3 and len(set(first)) == 1
    route.side_effect = None
    route.return_value = httpx.Response(200, json=CUSTOMER)
    client.customers.get("c-1")
    assert request_ids(route)[-1] != first[0]
    assert len(sleeps) == 2


def test_caller_request_id_wins_and_survives_retries(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    route = router.post("/v1/customers/c-1/carts/cart-1/checkout").mock(
        side_effect=[httpx.ConnectError("reset"), httpx.Response(201, json={"orders": []})]
    )
    client.carts.checkout("c-1", "cart-1", request_id="line-42")
    assert request_ids(route) == ["line-42", "line-42"]


def test_correlation_id_via_with_options(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    route = router.get("/v1/customers/c-1").respond(json=CUSTOMER)
    checkout = client.with_options(correlation_id="checkout-9", locale="fr-FR")
    checkout.customers.get("c-1")
    client.customers.get("c-1")
    first, second = route.calls
    assert first.request.headers["MS-CorrelationId"] == "checkout-9"
    assert first.request.headers["X-Locale"] == "fr-FR"
    assert second.request.headers["MS-CorrelationId"] == client.correlation_id != "checkout-9"
    assert checkout._tokens is client._tokens
    assert checkout._http is client._http


def test_429_waits_retry_after_and_logs_each_retry(
    client: PartnerCenterClient,
    router: respx.MockRouter,
    sleeps: Sleeps,
    caplog: pytest.LogCaptureFixture,
) -> None:
    throttled = httpx.Response(
        429,
        json={"statusCode": 429, "message": "Rate limit is exceeded. Try again in 7 seconds."},
        headers={"Retry-After": "7"},
    )
    router.get("/v1/customers/c-1").mock(
        side_effect=[throttled, httpx.Response(200, json=CUSTOMER)]
    )
    with caplog.at_level(logging.INFO, logger="csp_commerce.provisioning"):
        client.customers.get("c-1")
    assert sleeps == [7.0]
    (line,) = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert "attempt 1" in line.getMessage()
    assert "7.000s" in line.getMessage()
    assert "HTTP 429" in line.getMessage()


def test_retry_after_over_the_cap_raises_at_once_with_the_wait(
    client: PartnerCenterClient, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = router.get("/v1/customers/c-1").respond(429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimitError) as caught:
        client.customers.get("c-1")
    assert caught.value.retry_after == 3600
    assert route.call_count == 1 and sleeps == []
    assert caught.value.request_id == route.calls.last.request.headers["MS-RequestId"]


def test_exhausted_retries_raise_the_mapped_error(
    client: PartnerCenterClient, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = router.get("/v1/customers/c-1").respond(503)
    with pytest.raises(InternalServerError) as caught:
        client.customers.get("c-1")
    assert route.call_count == 4  # 1 + max_retries
    assert caught.value.status_code == 503
    # jittered exponential backoff from the seeded RNG: within [0.75, 1] of 0.5, 1, 2
    assert len(sleeps) == 3
    for delay, base in zip(sleeps, [0.5, 1.0, 2.0], strict=True):
        assert 0.75 * base <= delay <= base


def test_transport_errors_are_retried_then_raised(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    route = router.get("/v1/customers/c-1").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError) as caught:
        client.customers.get("c-1")
    assert route.call_count == 4
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    router.get("/v1/customers/c-2").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError):
        client.with_options(max_retries=0).customers.get("c-2")


def test_business_errors_are_never_retried(
    client: PartnerCenterClient, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = router.post("/v1/customers").mock(return_value=pc_error(400, 600051, "phone"))
    from csp_commerce.provisioning.wire import CustomerBillingProfile

    with pytest.raises(PhoneNumberRequiredError):
        client.customers.create(
            domain="x.onmicrosoft.com", billing_profile=CustomerBillingProfile(email="a@b.c")
        )
    assert route.call_count == 1 and sleeps == []


def test_cart_busy_is_retried_with_a_delay(
    client: PartnerCenterClient, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    route = router.post("/v1/customers/c-1/carts/k/checkout").mock(
        side_effect=[pc_error(409, 800064, "busy"), httpx.Response(201, json={"orders": []})]
    )
    client.carts.checkout("c-1", "k")
    assert route.call_count == 2 and sleeps == [5.0]


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (400, 600002, RegistrationNumberError),
        (400, 600049, RegistrationNumberError),
        (400, 600050, RegistrationNumberError),
        (400, 600051, PhoneNumberRequiredError),
        (400, 800065, CartAlreadySubmittedError),
        (409, 800064, CartBusyError),
        (403, 13605, McaNotAcceptedError),
        (400, 2055, StaleETagError),
        (404, 3000, UnknownMpnError),
        (400, 3000, BadRequestError),
        (404, 1000, NotFoundError),
        (401, 800001, AuthenticationError),
        (403, 2030, PermissionDeniedError),
        (409, 27009, ConflictError),
        (409, 800060, OrderInProgressError),
        (400, 600061, AgreementAlreadyConfirmedError),
        (412, 0, PreconditionFailedError),
        (417, 800036, PreconditionFailedError),
        (405, 0, APIStatusError),
    ],
)
def test_status_and_code_map_to_classes(
    status: int,
    code: int,
    error: type[Exception],
    router: respx.MockRouter,
    sleeps: Sleeps,
) -> None:
    router.get("/v1/customers/c-1").mock(return_value=pc_error(status, code, "why"))
    client = PartnerCenterClient(
        FakeCredential(), http_client=httpx.Client(), sleep=sleeps, max_retries=0
    )
    with pytest.raises(error) as caught:
        client.customers.get("c-1")
    assert type(caught.value) is error
    assert caught.value.code == code  # type: ignore[attr-defined]
    assert caught.value.description == "why"  # type: ignore[attr-defined]
    assert caught.value.correlation_id == client.correlation_id  # type: ignore[attr-defined]
    assert caught.value.request_id in str(caught.value)  # type: ignore[attr-defined]


def test_mpa_codes_map_only_on_the_mpa_check(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    router.get("/v1/compliance/csp/agreementstatus").mock(return_value=pc_error(400, 2001))
    with pytest.raises(MpaStatusError):
        client.relationships.mpa_status("123")
    router.get("/v1/customers/c-1").mock(return_value=pc_error(400, 2001))
    with pytest.raises(BadRequestError) as caught:
        client.customers.get("c-1")
    assert not isinstance(caught.value, MpaStatusError)


def test_a_response_that_does_not_validate_is_an_error_with_the_request_id(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    route = router.get("/v1/customers/c-1").respond(json={"companyProfile": {}})
    with pytest.raises(ResponseValidationError) as caught:
        client.customers.get("c-1")
    assert caught.value.request_id == route.calls.last.request.headers["MS-RequestId"]
    assert caught.value.errors[0]["loc"] == ("id",)
    router.get("/v1/customers/c-2").respond(text="<html>oops</html>")
    with pytest.raises(ResponseValidationError):
        client.customers.get("c-2")


def test_app_only_credential_is_refused_before_any_request(
    router: respx.MockRouter,
) -> None:
    route = router.get("/v1/customers/relationshiprequests").respond(json={"url": "u"})
    client = PartnerCenterClient(FakeCredential(CredentialKind.APP), http_client=httpx.Client())
    with pytest.raises(AppUserRequiredError, match="app\\+user"):
        client.relationships.request_link()
    assert route.call_count == 0
    # an unknown credential object is assumed capable
    unknown = PartnerCenterClient(FakeCredential(kind=None), http_client=httpx.Client())
    assert unknown.relationships.request_link().url == "u"


@pytest.mark.parametrize(
    ("call", "capability"),
    [
        (lambda c: c.agreements.templates(), "supports_mca"),
        (lambda c: c.users.licenses("c", "u"), "supports_licence_management"),
        (
            lambda c: c.users.update_licenses("c", "u", assign=["sku"]),
            "supports_licence_management",
        ),
        (lambda c: c.users.reset_password("c", "u", "pw-Secret-1"), "supports_password_reset"),
    ],
)
def test_china_refuses_what_it_does_not_offer(
    router: respx.MockRouter, call: Any, capability: str
) -> None:
    client = PartnerCenterClient(FakeCredential(), cloud=Cloud.CHINA, http_client=httpx.Client())
    with pytest.raises(OperationNotSupportedError) as caught:
        call(client)
    assert caught.value.capability == capability
    assert len(router.calls) == 0


def test_china_uses_its_own_host(sleeps: Sleeps) -> None:
    china = "https://partner.partnercenterapi.microsoftonline.cn"
    with respx.mock(base_url=china) as mock:
        route = mock.get("/v1/customers/c-1").respond(json=CUSTOMER)
        client = PartnerCenterClient(FakeCredential(), cloud="china", http_client=httpx.Client())
        client.customers.get("c-1")
    assert route.called


def test_custom_endpoints_and_base_url() -> None:
    custom = CloudEndpoints(
        api_base="https://pc.example.test",
        authority_host="https://login.example.test",
        resource="https://pc.example.test",
    )
    with respx.mock(base_url="https://pc.example.test") as mock:
        route = mock.get("/v1/customers/c-1").respond(json=CUSTOMER)
        PartnerCenterClient(
            FakeCredential(), cloud=custom, http_client=httpx.Client()
        ).customers.get("c-1")
    assert route.called
    client = PartnerCenterClient(FakeCredential(), base_url="http://127.0.0.1:9/")
    assert client.base_url == "http://127.0.0.1:9"
    client.close()


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="get_token"):
        PartnerCenterClient(object())
    with pytest.raises(ConfigurationError, match="unknown cloud"):
        PartnerCenterClient(FakeCredential(), cloud="mars")


def test_the_token_is_fetched_once_and_reused(router: respx.MockRouter) -> None:
    router.get("/v1/customers/c-1").respond(json=CUSTOMER)
    credential = FakeCredential()
    client = PartnerCenterClient(credential, http_client=httpx.Client())
    for _ in range(3):
        client.customers.get("c-1")
    assert credential.calls == 1


def test_owned_http_client_is_closed_injected_one_is_not() -> None:
    injected = httpx.Client()
    with PartnerCenterClient(FakeCredential(), http_client=injected):
        pass
    assert not injected.is_closed
    with PartnerCenterClient(FakeCredential()) as owning:
        http = owning._http
    assert http.is_closed
    injected.close()


async def test_async_client_retries_with_the_same_request_id(
    async_client: AsyncPartnerCenterClient, router: respx.MockRouter, async_sleeps: list[float]
) -> None:
    route = router.post("/v1/customers/c-1/carts").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(201, json={"id": "cart-1", "status": "Active"}),
        ]
    )
    line = CartLineItem(
        id=0, catalog_item_id="P:0001:A", quantity=1, billing_cycle="monthly", term_duration="P1M"
    )
    cart = await async_client.carts.create("c-1", [line], request_id="order-line-1")
    assert cart.status == "Active"
    assert request_ids(route) == ["order-line-1", "order-line-1"]
    assert async_sleeps == [2.0]


async def test_async_errors_and_preflight(router: respx.MockRouter) -> None:
    async with AsyncPartnerCenterClient(
        FakeCredential(CredentialKind.APP), http_client=httpx.AsyncClient(), max_retries=0
    ) as client:
        with pytest.raises(AppUserRequiredError):
            await client.agreements.confirm(
                "c",
                contact=PrimaryContact(first_name="A", last_name="B", email="a@b.example"),
                template_id="t",
                date_agreed=datetime(2025, 1, 1, tzinfo=timezone.utc),
            )
        router.get("/v1/customers/c-1").mock(return_value=pc_error(404, 1000, "missing"))
        with pytest.raises(NotFoundError):
            await client.customers.get("c-1")


async def test_async_with_options_and_owned_client() -> None:
    async with AsyncPartnerCenterClient(FakeCredential(), rng=random.Random(1)) as client:
        copy = client.with_options(correlation_id="x")
        assert copy.correlation_id == "x" and copy._http is client._http
        http = client._http
    assert http.is_closed


def test_with_options_to_another_cloud_moves_the_base_url(client: PartnerCenterClient) -> None:
    china = client.with_options(cloud="china")
    assert china.base_url == "https://partner.partnercenterapi.microsoftonline.cn"
    assert china.scope == "https://partner.partnercenterapi.microsoftonline.cn/.default"
    pinned = PartnerCenterClient(FakeCredential(), base_url="http://127.0.0.1:8080")
    assert pinned.with_options(locale="de-DE").base_url == "http://127.0.0.1:8080"


def test_a_throttling_body_is_no_business_code(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    router.get("/v1/customers/c-1").respond(
        429,
        json={"statusCode": 429, "message": "Rate limit is exceeded. Try again in 999 seconds."},
        headers={"Retry-After": "999"},
    )
    with pytest.raises(RateLimitError) as caught:
        client.customers.get("c-1")
    assert caught.value.code is None
    assert caught.value.description == "Rate limit is exceeded. Try again in 999 seconds."


def test_us_government_refuses_creating_customer_users(router: respx.MockRouter) -> None:
    client = PartnerCenterClient(FakeCredential(), cloud=Cloud.US_GOV, http_client=httpx.Client())
    with pytest.raises(OperationNotSupportedError) as caught:
        client.users.create(
            "c",
            user_principal_name="u@contoso.onmicrosoft.com",
            first_name="U",
            last_name="V",
            display_name="U V",
            usage_location="US",
            password="pw-Secret-1",
        )
    assert caught.value.capability == "supports_user_creation"
    assert len(router.calls) == 0
