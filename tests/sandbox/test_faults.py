"""Throttling, latency and injected faults: reproducible from a seed, instant on a fake clock."""

from __future__ import annotations

import httpx
import pytest

from csp_commerce.sandbox import Fault, FaultPlan, Sandbox

from .conftest import FakeClock, admin, client_for, customer_body, line, ready_customer


def test_partner_throttle_429_with_retry_after(sandbox: Sandbox, clock: FakeClock) -> None:
    sandbox.set_faults(FaultPlan(rate_limit_per_partner=3))
    with client_for(sandbox) as client:
        for _ in range(3):
            assert client.get("/v1/invoices").status_code == 200
        clock.advance(20)
        throttled = client.get("/v1/invoices")
        assert throttled.status_code == 429
        assert throttled.headers["Retry-After"] == "40"
        assert throttled.json() == {
            "statusCode": 429,
            "message": "Rate limit is exceeded. Try again in 40 seconds.",
        }
        clock.advance(40)
        assert client.get("/v1/invoices").status_code == 200


def test_customer_throttle_spares_other_customers(sandbox: Sandbox) -> None:
    with client_for(sandbox) as client:
        busy = ready_customer(client, "busy")
        calm = ready_customer(client, "calm")
        sandbox.set_faults(FaultPlan(rate_limit_per_customer=2))
        assert client.get(f"/v1/customers/{busy}").status_code == 200
        assert client.get(f"/v1/customers/{busy}/subscriptions").status_code == 200
        assert client.get(f"/v1/customers/{busy}").status_code == 429
        assert client.get(f"/v1/customers/{calm}").status_code == 200


def test_refused_attempts_count(sandbox: Sandbox, clock: FakeClock) -> None:
    sandbox.set_faults(FaultPlan(rate_limit_per_partner=1, rate_window_seconds=10))
    with client_for(sandbox) as client:
        assert client.get("/v1/invoices").status_code == 200
        clock.advance(5)
        assert client.get("/v1/invoices").status_code == 429  # counted
        clock.advance(5)
        # the first request has left the window, but the refused one has not; this one
        # counts too, so both must slide out before another request fits
        throttled = client.get("/v1/invoices")
        assert throttled.status_code == 429
        assert throttled.headers["Retry-After"] == "10"
        clock.advance(10)
        assert client.get("/v1/invoices").status_code == 200


def test_server_error_applies_nothing(sandbox: Sandbox, app: httpx.Client) -> None:
    sandbox.faults.force(Fault.SERVER_ERROR)
    response = app.post("/v1/customers", json=customer_body("contoso"))
    assert response.status_code in (500, 502, 503, 504)
    assert response.json()["isRetryable"] is True
    assert app.head("/v1/domains/contoso.onmicrosoft.com").status_code == 404


@pytest.mark.parametrize(
    ("fault", "error"),
    [(Fault.TIMEOUT, httpx.ReadTimeout), (Fault.CONNECTION_RESET, httpx.ReadError)],
)
def test_lost_request_applies_nothing(
    sandbox: Sandbox, app: httpx.Client, fault: Fault, error: type[Exception]
) -> None:
    sandbox.faults.force(fault)
    with pytest.raises(error):
        app.post("/v1/customers", json=customer_body("contoso"), headers={"MS-RequestId": "x"})
    assert app.head("/v1/domains/contoso.onmicrosoft.com").status_code == 404
    retry = app.post("/v1/customers", json=customer_body("contoso"), headers={"MS-RequestId": "x"})
    assert retry.status_code == 201


def test_commit_then_drop_then_replay(sandbox: Sandbox, user: httpx.Client) -> None:
    customer = ready_customer(user)
    e3 = sandbox.catalog.find("Office 365 E3").catalog_item_id
    cart = user.post(f"/v1/customers/{customer}/carts", json={"lineItems": [line(e3, 2)]}).json()
    path = f"/v1/customers/{customer}/carts/{cart['id']}/checkout"
    sandbox.faults.force(Fault.COMMIT_THEN_DROP)
    with pytest.raises(httpx.ReadTimeout):
        user.post(path, headers={"MS-RequestId": "checkout-1"})
    subscriptions = user.get(f"/v1/customers/{customer}/subscriptions").json()
    assert subscriptions["totalCount"] == 1  # the change was committed
    retry = user.post(path, headers={"MS-RequestId": "checkout-1"})
    assert retry.status_code == 201
    assert (
        retry.json()["orders"][0]["lineItems"][0]["subscriptionId"]
        == (subscriptions["items"][0]["id"])
    )
    assert user.get(f"/v1/customers/{customer}/subscriptions").json()["totalCount"] == 1


def _fault_sequence(seed: int) -> list[str]:
    sandbox = Sandbox(seed=seed, faults=FaultPlan.uniform(0.6, seed=seed), clock=lambda: 0.0)
    outcomes = []
    with client_for(sandbox) as client:
        for _ in range(40):
            try:
                outcomes.append(str(client.get("/v1/invoices").status_code))
            except httpx.TransportError as error:
                outcomes.append(type(error).__name__)
    return outcomes


def test_faults_reproducible_from_seed() -> None:
    first, again, other = _fault_sequence(3), _fault_sequence(3), _fault_sequence(4)
    assert first == again
    assert first != other
    kinds = set(first)
    assert "429" not in kinds  # the uniform plan spreads over the four lost/failed kinds
    assert {"200", "ReadTimeout", "ReadError"} <= kinds
    assert kinds & {"500", "502", "503", "504"}


def test_injected_throttle_and_fault_counts(sandbox: Sandbox, app: httpx.Client) -> None:
    sandbox.set_faults(FaultPlan(throttle_rate=1.0, injected_retry_after_seconds=3))
    throttled = app.post("/v1/customers", json=customer_body("contoso"))
    assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "3")
    assert app.head("/v1/domains/contoso.onmicrosoft.com").status_code == 429
    sandbox.set_faults(FaultPlan())
    assert app.head("/v1/domains/contoso.onmicrosoft.com").status_code == 404  # not applied
    sandbox.faults.force(Fault.SERVER_ERROR, times=2)
    app.get("/v1/invoices")
    app.get("/v1/invoices")
    assert sandbox.faults.counts == {Fault.SERVER_ERROR: 2}


def test_rates_validated() -> None:
    with pytest.raises(ValueError, match="sum"):
        FaultPlan(server_error_rate=0.7, timeout_rate=0.7)


def test_latency_uses_the_injected_sleep(clock: FakeClock) -> None:
    sandbox = Sandbox(faults=FaultPlan(latency_seconds=0.25), clock=clock, sleep=clock.advance)
    with client_for(sandbox) as client:
        client.get("/v1/invoices")
    assert clock.now - 1_735_689_600.0 == pytest.approx(0.25)


async def test_async_client_with_latency_and_faults() -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    sandbox = Sandbox(faults=FaultPlan(latency_seconds=0.002), async_sleep=fake_sleep)
    async with sandbox.async_httpx_client(token="sandbox-app") as client:
        created = await client.post("/v1/customers", json=customer_body("asyncco"))
        assert created.status_code == 201
        sandbox.faults.force(Fault.COMMIT_THEN_DROP)
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/v1/customers", json=customer_body("dropped"))
        assert (await client.head("/v1/domains/dropped.onmicrosoft.com")).status_code == 200
    assert slept == [0.002] * 3


def test_admin_routes_are_never_faulted(sandbox: Sandbox, app: httpx.Client) -> None:
    sandbox.set_faults(FaultPlan(server_error_rate=1.0))
    assert app.get("/sandbox/v1/state", headers=admin(sandbox)).status_code == 200
    changed = app.put(
        "/sandbox/v1/faults",
        json={"serverErrorRate": 0.0, "latencySeconds": 0},
        headers=admin(sandbox),
    )
    assert changed.status_code == 200
    assert changed.json()["serverErrorRate"] == 0.0
    assert app.get("/v1/invoices").status_code == 200
    assert (
        app.put("/sandbox/v1/faults", json={"bogus": 1}, headers=admin(sandbox)).status_code == 400
    )
