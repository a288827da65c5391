"""Partner Center's routing: literal segments in any case, one trailing slash tolerated, query
names in any case, unknown query parameters ignored; ids keep their case."""

from __future__ import annotations

import httpx
import pytest

from csp_commerce.sandbox import Sandbox

from .conftest import admin, buy, line, ready_customer, request_id


@pytest.mark.parametrize(
    "template",
    [
        "/v1/Customers/{c}",
        "/V1/CUSTOMERS/{c}",
        "/v1/customers/{c}/",
        "/v1/Customers/{c}/Subscriptions",
        "/v1/customers/{c}/users/",
        "/v1/customers/{c}/Users?size=5",
    ],
)
def test_literal_segments_in_any_case_and_a_trailing_slash(
    user: httpx.Client, template: str
) -> None:
    customer = ready_customer(user)
    response = user.get(template.format(c=customer))
    assert response.status_code == 200, response.text


def test_ids_keep_their_case(user: httpx.Client) -> None:
    customer = ready_customer(user)
    assert user.get(f"/v1/customers/{customer}").status_code == 200
    # Tenant ids are lower-case GUIDs here; another spelling is another (unknown) id.
    assert user.get(f"/v1/customers/{customer.upper()}").status_code == 404


def test_two_trailing_slashes_and_unknown_paths_are_still_404(user: httpx.Client) -> None:
    customer = ready_customer(user)
    assert user.get(f"/v1/customers/{customer}//").status_code == 404
    assert user.get("/v1/Customerz").status_code == 404
    # a path served for another method is still a 405, whatever its case
    assert user.delete("/v1/Invoices/").status_code == 405


def test_a_write_in_another_spelling_replays_the_same_request_id(user: httpx.Client) -> None:
    customer = ready_customer(user)
    headers = request_id()
    body = {
        "userPrincipalName": "ann@contoso.onmicrosoft.com",
        "firstName": "Ann",
        "lastName": "Doe",
        "displayName": "Ann Doe",
        "usageLocation": "US",
        "passwordProfile": {"password": "Str0ng!Passw0rd", "forceChangePassword": True},
    }
    first = user.post(f"/v1/customers/{customer}/users", json=body, headers=headers)
    again = user.post(f"/v1/Customers/{customer}/Users/", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]


def test_query_names_in_any_case(sandbox: Sandbox, user: httpx.Client) -> None:
    basic = sandbox.catalog.find("Microsoft 365 Business Basic")
    customer = ready_customer(user)
    buy(user, customer, line(basic.catalog_item_id, 10, "monthly", "P1M"))
    invoice = sandbox.generate_invoice(2025, 1)
    path = f"/v1/invoices/{invoice['id']}/lineitems"
    for names in (
        ("provider", "invoicelineitemtype"),
        ("provider", "invoiceLineItemType"),
        ("Provider", "InvoiceLineItemType"),
    ):
        query = dict(zip(names, ("OneTime", "BillingLineItems"), strict=True))
        response = user.get(path, params=query)
        assert response.status_code == 200, response.text
        assert response.json()["totalCount"] == 1
    products = user.get("/v1/products", params={"Country": "US", "TARGETVIEW": "OnlineServices"})
    assert products.status_code == 200 and products.json()["items"]


def test_unknown_query_parameters_are_ignored(user: httpx.Client) -> None:
    customer = ready_customer(user)
    plain = user.get(f"/v1/customers/{customer}/subscriptions").json()
    noisy = user.get(
        f"/v1/customers/{customer}/subscriptions", params={"foo": "bar", "api-version": "2"}
    )
    assert noisy.status_code == 200 and noisy.json() == plain
    assert user.get("/v1/customers", params={"Size": "1", "whatever": ""}).status_code == 200


def test_admin_routes_in_another_case_still_need_the_admin_token(
    sandbox: Sandbox, user: httpx.Client
) -> None:
    assert user.get("/Sandbox/v1/State").status_code == 401
    assert user.get("/SANDBOX/v1/state/", headers=admin(sandbox)).status_code == 200
