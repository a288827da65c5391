"""MS-RequestId: a write sent again with the same id replays its first outcome."""

from __future__ import annotations

import httpx

from csp_commerce.sandbox import Sandbox

from .conftest import customer_body, line, ready_customer


def test_same_request_id_replays_customer_creation(sandbox: Sandbox, app: httpx.Client) -> None:
    headers = {"MS-RequestId": "3f1c0d3e-1111-4a5b-8c7d-000000000001"}
    first = app.post("/v1/customers", json=customer_body("replay"), headers=headers)
    second = app.post("/v1/customers", json=customer_body("replay"), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second.headers["MS-RequestId"] == headers["MS-RequestId"]
    assert len(sandbox.world.customers) == 1


def test_new_request_id_acts_again(app: httpx.Client) -> None:
    first = app.post("/v1/customers", json=customer_body("replay"), headers={"MS-RequestId": "a"})
    second = app.post("/v1/customers", json=customer_body("replay"), headers={"MS-RequestId": "b"})
    assert first.status_code == 201
    assert second.status_code == 409  # the domain is now taken: it acted twice


def test_business_failure_is_replayed_too(sandbox: Sandbox, user: httpx.Client) -> None:
    customer = ready_customer(user)
    basic = sandbox.catalog.find("Microsoft 365 Business Basic").catalog_item_id
    body = {
        "billingCycle": "monthly",
        "lineItems": [{"lineItemNumber": 0, "offerId": basic, "quantity": 301}],
    }
    path = f"/v1/customers/{customer}/orders"
    headers = {"MS-RequestId": "order-1"}
    first = user.post(path, json=body, headers=headers)
    fixed = {**body, "lineItems": [{"lineItemNumber": 0, "offerId": basic, "quantity": 3}]}
    second = user.post(path, json=fixed, headers=headers)
    assert first.status_code == second.status_code == 400
    assert first.json() == second.json()
    assert user.get(f"/v1/customers/{customer}/subscriptions").json()["totalCount"] == 0


def test_checkout_replayed_not_doubled(sandbox: Sandbox, user: httpx.Client) -> None:
    customer = ready_customer(user)
    e3 = sandbox.catalog.find("Office 365 E3").catalog_item_id
    cart = user.post(f"/v1/customers/{customer}/carts", json={"lineItems": [line(e3, 2)]}).json()
    path = f"/v1/customers/{customer}/carts/{cart['id']}/checkout"
    first = user.post(path, headers={"MS-RequestId": "checkout-1"})
    second = user.post(path, headers={"MS-RequestId": "checkout-1"})
    assert second.status_code == 201
    assert second.json() == first.json()
    third = user.post(path, headers={"MS-RequestId": "checkout-2"})
    assert third.json()["code"] == 800065


def test_request_id_reused_for_another_operation_refused(app: httpx.Client) -> None:
    headers = {"MS-RequestId": "shared"}
    assert app.post("/v1/customers", json=customer_body("one"), headers=headers).status_code == 201
    other = app.post("/v1/validations/address", json={"country": "US"}, headers=headers)
    assert other.status_code == 400


def test_reads_are_not_replayed(sandbox: Sandbox, app: httpx.Client) -> None:
    headers = {"MS-RequestId": "read-1"}
    first = app.get("/v1/customers", headers=headers).json()
    app.post("/v1/customers", json=customer_body("later"))
    second = app.get("/v1/customers", headers=headers).json()
    assert (first["totalCount"], second["totalCount"]) == (0, 1)
