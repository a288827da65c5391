"""Users and licences, invoices and line items, and the seeded catalog."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from csp_commerce.models import BillingCycle, Offer, OfferFamily, Segment, TermDuration
from csp_commerce.sandbox import Sandbox

from .conftest import admin, buy, line, ready_customer


def _user(client: httpx.Client, customer: str, name: str) -> dict[str, Any]:
    response = client.post(
        f"/v1/customers/{customer}/users",
        json={
            "userPrincipalName": f"{name}@contoso.onmicrosoft.com",
            "firstName": name.title(),
            "lastName": "Doe",
            "displayName": f"{name.title()} Doe",
            "usageLocation": "US",
            "passwordProfile": {"password": "Str0ng!Passw0rd", "forceChangePassword": True},
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_licence_assignment_until_none_free(sandbox: Sandbox, user: httpx.Client) -> None:
    item = sandbox.catalog.find("Office 365 E3")
    customer = ready_customer(user)
    buy(user, customer, line(item.catalog_item_id, 2))
    skus = user.get(f"/v1/customers/{customer}/subscribedskus").json()["items"]
    assert skus[0]["productSku"]["id"] == item.sku_guid
    assert (skus[0]["totalUnits"], skus[0]["availableUnits"]) == (2, 2)
    users = [_user(user, customer, name) for name in ("ann", "bob", "cy")]
    assign = {"licensesToAssign": [{"skuId": item.sku_guid}], "licensesToRemove": []}
    for person in users[:2]:
        path = f"/v1/customers/{customer}/users/{person['id']}/licenseupdates"
        assert user.post(path, json=assign).status_code == 201
    full = user.post(f"/v1/customers/{customer}/users/{users[2]['id']}/licenseupdates", json=assign)
    assert (full.status_code, full.json()["code"]) == (400, 60012)
    sku = user.get(f"/v1/customers/{customer}/subscribedskus").json()["items"][0]
    assert (sku["consumedUnits"], sku["availableUnits"]) == (2, 0)
    # freeing one makes room
    remove = {"licensesToAssign": [], "licensesToRemove": [item.sku_guid]}
    user.post(f"/v1/customers/{customer}/users/{users[0]['id']}/licenseupdates", json=remove)
    again = user.post(
        f"/v1/customers/{customer}/users/{users[2]['id']}/licenseupdates", json=assign
    )
    assert again.status_code == 201
    licences = user.get(f"/v1/customers/{customer}/users/{users[2]['id']}/licenses").json()
    assert licences["items"][0]["productSku"]["id"] == item.sku_guid


def test_unsubscribed_sku_cannot_be_assigned(user: httpx.Client) -> None:
    customer = ready_customer(user)
    person = _user(user, customer, "ann")
    response = user.post(
        f"/v1/customers/{customer}/users/{person['id']}/licenseupdates",
        json={"licensesToAssign": [{"skuId": "not-a-sku"}]},
    )
    assert response.json()["code"] == 60012


def test_users_seek_paging_and_upn_rules(user: httpx.Client) -> None:
    customer = ready_customer(user)
    for index in range(3):
        _user(user, customer, f"user{index}")
    first = user.get(f"/v1/customers/{customer}/users", params={"size": 2}).json()
    next_link = first["links"]["next"]
    headers = {h["key"]: h["value"] for h in next_link["headers"]}
    second = user.get(next_link["uri"], headers=headers).json()
    assert len(first["items"]) + len(second["items"]) == 4  # three and the tenant's first admin
    assert "next" not in second["links"]
    duplicate = user.post(
        f"/v1/customers/{customer}/users",
        json={**first["items"][0], "passwordProfile": {"password": "x"}},
    )
    assert duplicate.status_code == 400


def test_monthly_invoice_and_line_items(sandbox: Sandbox, user: httpx.Client) -> None:
    basic = sandbox.catalog.find("Microsoft 365 Business Basic")
    e5 = sandbox.catalog.find("Microsoft 365 E5")
    customer = ready_customer(user)
    buy(user, customer, line(basic.catalog_item_id, 10, "monthly", "P1M"))
    buy(user, customer, line(e5.catalog_item_id, 3, "annual", "P1Y"))
    invoice = sandbox.generate_invoice(2025, 1)
    # 10 x 6.00 x 1.20 (monthly term) + 3 x 57.00 x 12 (annual, billed up front)
    assert Decimal(str(invoice["totalCharges"])) == Decimal("72.00") + Decimal("2052.00")
    listed = user.get("/v1/invoices", params={"size": 10, "offset": 0}).json()
    assert [i["id"] for i in listed["items"]] == [invoice["id"]]
    path = f"/v1/invoices/{invoice['id']}/lineitems"
    query: dict[str, str | int] = {
        "provider": "onetime",
        "invoicelineitemtype": "billinglineitems",
        "size": 1,
    }
    page = user.get(path, params=query).json()
    lines = list(page["items"])
    while "next" in page["links"]:
        link = page["links"]["next"]
        page = user.get(link["uri"], headers={h["key"]: h["value"] for h in link["headers"]}).json()
        lines += page["items"]
    assert sorted(line["productName"] for line in lines) == [basic.title, e5.title]
    assert {line["customerId"] for line in lines} == {customer}
    # the next month bills only the monthly subscription
    february = user.post(
        "/sandbox/v1/invoices", json={"year": 2025, "month": 2}, headers=admin(sandbox)
    ).json()
    assert february["totalCharges"] == 72.0


def test_catalog_over_the_wire(user: httpx.Client) -> None:
    products = user.get("/v1/products", params={"country": "US", "targetView": "OnlineServices"})
    titles = {p["title"] for p in products.json()["items"]}
    assert {"Microsoft 365 Business Premium", "Office 365 E5", "Office 365 G3 GCC"} <= titles
    outside_us = user.get("/v1/products", params={"country": "DE", "targetView": "OnlineServices"})
    assert "Office 365 G3 GCC" not in {p["title"] for p in outside_us.json()["items"]}
    basic = next(p for p in products.json()["items"] if p["title"].endswith("Business Basic"))
    skus = user.get(f"/v1/products/{basic['id']}/skus", params={"country": "US"}).json()
    sku = skus["items"][0]
    assert sku["maximumQuantity"] == 300
    availabilities = user.get(
        f"/v1/products/{basic['id']}/skus/{sku['id']}/availabilities", params={"country": "US"}
    ).json()["items"]
    terms = {(t["duration"], t["billingCycle"]) for t in availabilities[0]["terms"]}
    assert terms == {("P1M", "monthly"), ("P1Y", "monthly"), ("P1Y", "annual")}
    assert availabilities[0]["catalogItemId"].startswith(f"{basic['id']}:{sku['id']}:")
    education = user.get(
        "/v1/products",
        params={"country": "US", "targetView": "OnlineServices", "targetSegment": "education"},
    ).json()["items"]
    assert education and all("A1" in p["title"] or "A3" in p["title"] for p in education)


def test_catalog_as_offers(sandbox: Sandbox) -> None:
    offers = {offer.name: offer for offer in sandbox.catalog.offers()}
    assert all(isinstance(offer, Offer) for offer in offers.values())
    premium = offers["Microsoft 365 Business Premium"]
    assert premium.family is OfferFamily.BUSINESS
    assert premium.max_seats_per_customer == 300
    assert premium.billing_cycles == {BillingCycle.MONTHLY, BillingCycle.ANNUAL}
    assert TermDuration.P1M in premium.term_durations
    assert offers["Office 365 A3 for faculty"].segment is Segment.EDUCATION
    assert offers["Office 365 G3 GCC"].segment is Segment.GOVERNMENT
    assert offers["Microsoft 365 Business Premium for Nonprofits"].segment is Segment.NONPROFIT
    phone = offers["Microsoft Teams Phone Standard"]
    assert phone.family is OfferFamily.ADDON
    assert premium.product_id in phone.parent_product_ids
    assert TermDuration.P3Y in offers["Microsoft 365 E5"].term_durations
    families = {offer.family for offer in offers.values()}
    assert {OfferFamily.DYNAMICS, OfferFamily.ENTERPRISE} <= families


def test_prices(sandbox: Sandbox) -> None:
    standard = sandbox.catalog.find("Microsoft 365 Business Standard")
    assert standard.monthly_price("P1Y", "annual") == Decimal("12.50")
    assert standard.monthly_price("P1Y", "monthly") == Decimal("13.13")
    assert standard.monthly_price("P1M", "monthly") == Decimal("15.00")
