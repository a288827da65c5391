"""The sandbox's own routes need its admin token; a request id is replayed only after
authentication, and only to the caller that first sent it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from csp_commerce.sandbox import API_BASE, Sandbox
from csp_commerce.sandbox.state import RecordedOutcome

from .conftest import FakeClock, admin, client_for, customer_body, ready_customer

ADMIN_ROUTES = [
    ("POST", "/sandbox/v1/tenants", {"domain": "tailspin.onmicrosoft.com"}),
    ("POST", "/sandbox/v1/customers/{tenant}/relationship/accept", None),
    ("POST", "/sandbox/v1/customers/{tenant}/qualifications",
     {"qualification": "Education", "vettingStatus": "Approved"}),
    ("POST", "/sandbox/v1/resellers", {"mpnId": "5100009", "name": "Fabrikam"}),
    ("POST", "/sandbox/v1/invoices", {"year": 2025, "month": 1}),
    ("POST", "/sandbox/v1/clock", {"advanceSeconds": 60}),
    ("GET", "/sandbox/v1/state", None),
    ("PUT", "/sandbox/v1/state", {"version": 1}),
    ("PUT", "/sandbox/v1/faults", {"serverErrorRate": 0.5}),
]  # fmt: skip


def _anonymous(sandbox: Sandbox) -> httpx.Client:
    return httpx.Client(transport=sandbox.transport(), base_url=API_BASE)


@pytest.mark.parametrize(("method", "template", "body"), ADMIN_ROUTES)
@pytest.mark.parametrize("token", [None, "sandbox-user", "sandbox-app", "sandbox-admin-guess"])
def test_admin_routes_refuse_requests_without_the_admin_token(
    sandbox: Sandbox, method: str, template: str, body: object, token: str | None
) -> None:
    tenant = sandbox.add_existing_tenant("northwind")
    before = sandbox.world.to_json()
    plan = sandbox.faults.plan
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    with _anonymous(sandbox) as client:
        path = template.format(tenant=tenant)
        response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    error = response.json()
    assert error["code"] == 800001
    assert "admin token" in error["description"]
    assert "customers" not in error  # nothing of the world leaks
    assert sandbox.world.to_json() == before  # and nothing changed
    assert sandbox.faults.plan == plan


@pytest.mark.parametrize(("method", "template", "body"), ADMIN_ROUTES)
def test_admin_routes_serve_the_admin_token(
    sandbox: Sandbox, method: str, template: str, body: object
) -> None:
    tenant = sandbox.add_existing_tenant("northwind")
    if template.endswith("/state") and method == "PUT":
        body = sandbox.world.to_json()
    with _anonymous(sandbox) as client:
        path = template.format(tenant=tenant)
        response = client.request(method, path, json=body, headers=admin(sandbox))
    assert response.status_code in (200, 201), response.text


def test_the_admin_token_is_random_unless_given(clock: FakeClock) -> None:
    first, second = Sandbox(clock=clock), Sandbox(clock=clock)
    assert first.admin_token != second.admin_token
    assert len(first.admin_token) > 20
    assert Sandbox(admin_token="chosen").admin_token == "chosen"


def test_the_admin_token_is_not_a_partner_token(sandbox: Sandbox) -> None:
    with client_for(sandbox, sandbox.admin_token) as client:
        assert client.get("/v1/customers").status_code == 401


def test_in_process_administration_needs_no_token(sandbox: Sandbox) -> None:
    tenant = sandbox.add_existing_tenant("northwind")
    sandbox.accept_relationship(tenant)
    sandbox.set_qualification(tenant, "Education")
    sandbox.add_reseller("5100009", "Fabrikam")
    assert sandbox.world.customers[tenant].related


# -- MS-RequestId replay: authentication first, and the same caller only --------------------


def _create_with(sandbox: Sandbox, request_id: str) -> httpx.Response:
    with client_for(sandbox, "sandbox-user") as client:
        created = client.post(
            "/v1/customers", json=customer_body("contoso"), headers={"MS-RequestId": request_id}
        )
    assert created.status_code == 201
    assert created.json()["userCredentials"]["password"]
    return created


@pytest.mark.parametrize("authorization", [None, "Bearer nonsense", "Basic sandbox-user", "Bearer"])
def test_a_replayed_request_id_without_a_valid_token_is_401_not_the_first_answer(
    sandbox: Sandbox, authorization: str | None
) -> None:
    first = _create_with(sandbox, "rid-1")
    password = first.json()["userCredentials"]["password"]
    headers = {"MS-RequestId": "rid-1"}
    if authorization is not None:
        headers["Authorization"] = authorization
    with _anonymous(sandbox) as client:
        replay = client.post("/v1/customers", json=customer_body("contoso"), headers=headers)
    assert replay.status_code == 401
    assert password not in replay.text
    assert replay.json()["code"] == 800001


def test_a_replay_goes_only_to_the_caller_that_sent_the_request(sandbox: Sandbox) -> None:
    first = _create_with(sandbox, "rid-2")
    password = first.json()["userCredentials"]["password"]
    with client_for(sandbox, "sandbox-app") as other:
        replay = other.post(
            "/v1/customers", json=customer_body("contoso"), headers={"MS-RequestId": "rid-2"}
        )
    assert replay.status_code == 400
    assert password not in replay.text
    with client_for(sandbox, "sandbox-user") as same:
        again = same.post(
            "/v1/customers", json=customer_body("contoso"), headers={"MS-RequestId": "rid-2"}
        )
    assert (again.status_code, again.content) == (201, first.content)


def test_a_replay_of_an_app_plus_user_operation_needs_an_app_plus_user_token(
    sandbox: Sandbox,
) -> None:
    with client_for(sandbox, "sandbox-user") as user:
        customer = ready_customer(user)
        body = {"displayName": "Grace", "userPrincipalName": "grace@contoso.onmicrosoft.com",
                "usageLocation": "US", "passwordProfile": {"password": "Secret!123"}}  # fmt: skip
        path = f"/v1/customers/{customer}/users"
        created = user.post(path, json=body, headers={"MS-RequestId": "rid-3"})
        assert "rid-3" in sandbox.world.requests
    with client_for(sandbox, "sandbox-app") as app:
        replay = app.post(path, json=body, headers={"MS-RequestId": "rid-3"})
    assert replay.status_code == 401
    assert replay.content != created.content


def test_outcomes_saved_before_callers_were_kept_replay_to_any_partner_caller(
    sandbox: Sandbox, tmp_path: Path, clock: FakeClock
) -> None:
    first = _create_with(sandbox, "rid-4")
    assert sandbox.world.requests["rid-4"].caller == "sandbox-user"
    path = tmp_path / "sandbox.json"
    sandbox.save(path)
    assert Sandbox.load(path, clock=clock).world.requests["rid-4"].caller == "sandbox-user"

    recorded = sandbox.world.requests["rid-4"]
    sandbox.world.requests["rid-4"] = RecordedOutcome(
        recorded.method, recorded.path, recorded.status, recorded.body, recorded.headers
    )
    with client_for(sandbox, "sandbox-app") as app:
        replay = app.post(
            "/v1/customers", json=customer_body("contoso"), headers={"MS-RequestId": "rid-4"}
        )
    assert (replay.status_code, replay.content) == (201, first.content)
