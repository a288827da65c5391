"""Tokens (app-only vs app+user), the credential, and saving/loading the world."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from csp_commerce.sandbox import API_BASE, Sandbox, SandboxCredential

from .conftest import (
    FakeClock,
    admin,
    buy,
    client_for,
    create_customer,
    line,
    mca_body,
    ready_customer,
)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/agreements?agreementType=MicrosoftCustomerAgreement"),
        ("GET", "/v1/customers/relationshiprequests"),
        ("GET", "/v1/profiles/mpn?mpnId=1"),
        ("GET", "/v1/compliance/csp/agreementstatus?mpnId=1"),
        ("GET", "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf"),
    ],
)
def test_app_plus_user_operations_refuse_app_tokens(
    app: httpx.Client, method: str, path: str
) -> None:
    response = app.request(method, path)
    assert (response.status_code, response.json()["code"]) == (401, 800001)


def test_customer_scoped_user_operations_refuse_app_tokens(app: httpx.Client) -> None:
    customer = create_customer(app)
    refused = app.post(f"/v1/customers/{customer}/agreements", json=mca_body())
    assert (refused.status_code, refused.json()["code"]) == (401, 800001)
    assert app.get(f"/v1/customers/{customer}/users").status_code == 401
    assert app.get(f"/v1/customers/{customer}/subscribedskus").status_code == 401
    # app-only is fine where Partner Center allows it
    assert app.get(f"/v1/customers/{customer}/qualifications").status_code == 200


def test_missing_or_unknown_token_is_401(sandbox: Sandbox) -> None:
    with httpx.Client(transport=sandbox.transport(), base_url=API_BASE) as anonymous:
        assert anonymous.get("/v1/invoices").status_code == 401
        bogus = anonymous.get("/v1/invoices", headers={"Authorization": "Bearer real-token"})
        assert bogus.status_code == 401


def test_sandbox_credential_shape(clock: FakeClock) -> None:
    user = SandboxCredential(clock=clock)
    token = user.get_token("https://api.partnercenter.microsoft.com/.default")
    assert (token.token, user.kind) == ("sandbox-user", "app+user")
    assert token.expires_on == int(clock.now) + 3600
    app = SandboxCredential(user=False)
    assert (app.get_token().token, app.kind) == ("sandbox-app", "app")


def test_unknown_route_and_method(user: httpx.Client) -> None:
    assert user.get("/v1/nothing").status_code == 404
    assert user.delete("/v1/invoices").status_code == 405


def test_save_and_load_round_trip(tmp_path: Path, sandbox: Sandbox, clock: FakeClock) -> None:
    basic = sandbox.catalog.find("Microsoft 365 Business Basic").catalog_item_id
    sandbox.add_reseller("5100001", "Reseller One")
    with client_for(sandbox) as client:
        customer = ready_customer(client)
        buy(client, customer, line(basic, 10))
        client.post("/v1/customers", json={}, headers={"MS-RequestId": "bad-1"})
    path = tmp_path / "world.json"
    sandbox.save(path)

    loaded = Sandbox.load(path, clock=clock)
    assert loaded.world.to_json() == sandbox.world.to_json()
    with client_for(loaded) as client:
        # the world goes on: the domain is taken, the limit holds, the MCA is on record
        assert client.head("/v1/domains/contoso.onmicrosoft.com").status_code == 200
        again = buy(client, customer, line(basic, 1))
        assert again.json()["orderErrors"][0]["code"] == 800066
        replay = client.post("/v1/customers", json={}, headers={"MS-RequestId": "bad-1"})
        assert replay.status_code == 400
        assert client.get("/v1/profiles/mpn?mpnId=5100001").status_code == 200
        # new ids do not collide with the saved ones
        other = create_customer(client, "second")
        assert other not in sandbox.world.customers


def test_state_over_admin_routes(sandbox: Sandbox, user: httpx.Client) -> None:
    create_customer(user, "first")
    saved = user.get("/sandbox/v1/state", headers=admin(sandbox)).json()
    create_customer(user, "second")
    assert len(sandbox.world.customers) == 2
    assert user.put("/sandbox/v1/state", json=saved, headers=admin(sandbox)).json() == {
        "customers": 1
    }
    assert len(sandbox.world.customers) == 1
    assert user.head("/v1/domains/second.onmicrosoft.com").status_code == 404
    assert (
        user.put("/sandbox/v1/state", json={"version": 99}, headers=admin(sandbox)).status_code
        == 400
    )
