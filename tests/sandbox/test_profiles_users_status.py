"""Reads Partner Center serves: company and billing profiles, a subscription's provisioning
status, one user, a user's directory roles, and domain-prefix availability."""

from __future__ import annotations

import httpx

from csp_commerce.sandbox import Sandbox

from .conftest import buy, create_customer, line, ready_customer


def test_company_and_billing_profiles(app: httpx.Client) -> None:
    customer = create_customer(app)
    whole = app.get(f"/v1/customers/{customer}").json()
    company = app.get(f"/v1/customers/{customer}/profiles/company")
    billing = app.get(f"/v1/customers/{customer}/Profiles/Billing/")
    assert company.status_code == billing.status_code == 200
    assert company.json() == whole["companyProfile"]
    assert company.json()["attributes"]["objectType"] == "CustomerCompanyProfile"
    assert company.json()["tenantId"] == customer
    assert billing.json() == whole["billingProfile"]
    assert billing.json()["attributes"]["etag"]
    assert billing.json()["defaultAddress"]["country"] == "US"
    missing = app.get("/v1/customers/00000000-0000-0000-0000-000000000000/profiles/company")
    assert (missing.status_code, missing.json()["code"]) == (404, 1000)


def test_subscription_provisioning_status(sandbox: Sandbox, user: httpx.Client) -> None:
    item = sandbox.catalog.find("Office 365 E3")
    customer = ready_customer(user)
    buy(user, customer, line(item.catalog_item_id, 3))
    (subscription,) = user.get(f"/v1/customers/{customer}/subscriptions").json()["items"]
    path = f"/v1/customers/{customer}/subscriptions/{subscription['id']}/provisioningstatus"
    status = user.get(path)
    assert status.status_code == 200, status.text
    assert status.json() == {
        "skuId": item.sku_guid,
        "status": "success",
        "quantity": 3,
        "endDate": subscription["commitmentEndDate"],
        "attributes": {"objectType": "SubscriptionProvisioningStatus"},
    }
    unknown = user.get(f"/v1/customers/{customer}/subscriptions/nope/provisioningstatus")
    assert (unknown.status_code, unknown.json()["code"]) == (404, 20003)


def test_subscription_provisioning_status_needs_app_user(
    sandbox: Sandbox, user: httpx.Client, app: httpx.Client
) -> None:
    customer = ready_customer(user)
    path = f"/v1/customers/{customer}/subscriptions/x/provisioningstatus"
    assert app.get(path).status_code == 401


def test_one_user_and_directory_roles(user: httpx.Client, app: httpx.Client) -> None:
    customer = ready_customer(user)
    users = user.get(f"/v1/customers/{customer}/users").json()["items"]
    (admin,) = [u for u in users if u["userPrincipalName"] == "admin@contoso.onmicrosoft.com"]
    created = user.post(
        f"/v1/customers/{customer}/users",
        json={
            "userPrincipalName": "ann@contoso.onmicrosoft.com",
            "firstName": "Ann",
            "lastName": "Doe",
            "displayName": "Ann Doe",
            "usageLocation": "US",
            "passwordProfile": {"password": "Str0ng!Passw0rd", "forceChangePassword": True},
        },
    ).json()
    one = user.get(f"/v1/customers/{customer}/users/{created['id']}")
    assert one.status_code == 200 and one.json() == created
    roles = user.get(f"/v1/customers/{customer}/users/{admin['id']}/directoryroles").json()
    assert roles["attributes"]["objectType"] == "Collection"
    assert [(r["name"], r["id"]) for r in roles["items"]] == [
        ("Company Administrator", "62e90394-69f5-4237-9190-012177145e10")
    ]
    plain = user.get(f"/v1/customers/{customer}/users/{created['id']}/directoryroles").json()
    assert plain["totalCount"] == 0 and plain["items"] == []
    for path in ("", "/directoryroles"):
        unknown = user.get(f"/v1/customers/{customer}/users/nobody{path}")
        assert (unknown.status_code, unknown.json()["code"]) == (404, 60002)
        assert app.get(f"/v1/customers/{customer}/users/{admin['id']}{path}").status_code == 401


def test_check_domain_availability(app: httpx.Client) -> None:
    def check(prefix: str) -> httpx.Response:
        return app.get(f"/v1/validations/checkdomainavailability/{prefix}")

    free = check("contoso")
    assert (free.status_code, free.json()) == (200, True)
    create_customer(app, "contoso")
    for prefix in ("contoso", "CONTOSO"):
        taken = check(prefix)
        assert (taken.status_code, taken.json()) == (200, False)
    for bad in ("con-toso", "contoso.onmicrosoft.com", "x" * 28):
        refused = check(bad)
        assert (refused.status_code, refused.json()["code"]) == (400, 2000)
