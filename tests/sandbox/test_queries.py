"""Queries Partner Center serves: the customers ``filter``, a reseller's relationship view,
user filters, ``licenseGroupIds``, and the subscription etag in the header or the body."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from csp_commerce.sandbox import Sandbox

from .conftest import buy, create_customer, customer_body, line, ready_customer


def _search(client: httpx.Client, field: str, value: str, operator: str = "starts_with") -> Any:
    query = json.dumps({"Field": field, "Value": value, "Operator": operator})
    return client.get("/v1/customers", params={"size": 10, "filter": query})


def _named(client: httpx.Client, domain: str, company: str, **extra: Any) -> str:
    body = customer_body(domain)
    body["billingProfile"]["companyName"] = company
    body.update(extra)
    response = client.post("/v1/customers", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_customer_filter_by_company_name_and_domain(user: httpx.Client) -> None:
    contoso = _named(user, "contoso", "Contoso Ltd")
    _named(user, "fabrikam", "Fabrikam Inc")
    by_name = _search(user, "CompanyName", "cont")
    assert by_name.status_code == 200, by_name.text
    assert [c["id"] for c in by_name.json()["items"]] == [contoso]
    by_domain = _search(user, "Domain", "CONTOSO.")
    assert [c["id"] for c in by_domain.json()["items"]] == [contoso]
    assert _search(user, "CompanyName", "nothing").json()["items"] == []
    assert len(user.get("/v1/customers").json()["items"]) == 2


def test_customer_filter_by_indirect_reseller(sandbox: Sandbox, user: httpx.Client) -> None:
    reseller = sandbox.add_reseller("5100001", "Reseller One")
    sold = _named(user, "contoso", "Contoso", associatedPartnerId=reseller)
    _named(user, "fabrikam", "Fabrikam")
    found = _search(user, "IndirectReseller", reseller)
    assert [c["id"] for c in found.json()["items"]] == [sold]


def test_customer_filter_keeps_paging(user: httpx.Client) -> None:
    for name in ("alpha", "alpine", "beta"):
        _named(user, name, name.title())
    query = json.dumps({"Field": "Domain", "Value": "alp", "Operator": "starts_with"})
    first = user.get("/v1/customers", params={"size": 1, "filter": query}).json()
    nxt = first["links"]["next"]
    assert "filter=" in nxt["uri"]
    token = {h["key"]: h["value"] for h in nxt["headers"]}
    second = user.get(nxt["uri"], headers=token).json()
    assert {c["companyProfile"]["domain"] for c in first["items"] + second["items"]} == {
        "alpha.onmicrosoft.com",
        "alpine.onmicrosoft.com",
    }


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1]",
        '{"Field":"Country","Value":"US","Operator":"starts_with"}',
        '{"Field":"Domain","Value":"a","Operator":"substring"}',
        '{"Field":"Domain","Value":1,"Operator":"starts_with"}',
    ],
)
def test_customer_filter_refused_when_not_understood(user: httpx.Client, raw: str) -> None:
    create_customer(user)
    refused = user.get("/v1/customers", params={"filter": raw})
    assert (refused.status_code, refused.json()["code"]) == (400, 2000)


def test_relationships_reseller_view(sandbox: Sandbox, user: httpx.Client) -> None:
    sandbox.add_reseller("5100001", "Reseller One")
    mine = user.get("/v1/relationships", params={"relationship_type": "IsIndirectResellerOf"})
    assert mine.status_code == 200, mine.text
    assert mine.json()["items"] == [] and mine.json()["totalCount"] == 0
    theirs = user.get(
        "/v1/relationships", params={"relationship_type": "isindirectcloudsolutionproviderof"}
    )
    assert [r["mpnId"] for r in theirs.json()["items"]] == ["5100001"]
    wrong = user.get("/v1/relationships", params={"relationship_type": "IsAdvisorOf"})
    assert (wrong.status_code, wrong.json()["code"]) == (400, 2000)


def _make_user(client: httpx.Client, customer: str, name: str) -> dict[str, Any]:
    body = {
        "userPrincipalName": f"{name}@contoso.onmicrosoft.com",
        "firstName": name,
        "lastName": "Doe",
        "displayName": name,
        "usageLocation": "US",
        "passwordProfile": {"password": "Pa55w.rd!x", "forceChangePassword": True},
    }
    response = client.post(f"/v1/customers/{customer}/users", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_user_state_filter(user: httpx.Client) -> None:
    customer = ready_customer(user)
    gone = _make_user(user, customer, "gone")
    _make_user(user, customer, "kept")
    path = f"/v1/customers/{customer}/users"
    assert user.patch(f"{path}/{gone['id']}", json={"state": "inactive"}).status_code == 200
    active = user.get(path).json()["items"]
    assert gone["id"] not in {u["id"] for u in active} and len(active) == 2
    deleted_filter = json.dumps({"Field": "UserState", "Value": "Inactive", "Operator": "equals"})
    deleted = user.get(path, params={"filter": deleted_filter}).json()["items"]
    assert [u["id"] for u in deleted] == [gone["id"]]
    wrong = json.dumps({"Field": "DisplayName", "Value": "x", "Operator": "equals"})
    refused = user.get(path, params={"filter": wrong})
    assert (refused.status_code, refused.json()["code"]) == (400, 2000)


def test_license_group_ids(sandbox: Sandbox, user: httpx.Client) -> None:
    item = sandbox.catalog.find("Office 365 E3")
    customer = ready_customer(user)
    buy(user, customer, line(item.catalog_item_id, 2))
    skus = f"/v1/customers/{customer}/subscribedskus"
    group1 = user.get(skus, params={"licenseGroupIds": "Group1"}).json()["items"]
    assert [s["productSku"]["id"] for s in group1] == [item.sku_guid]
    assert user.get(skus, params={"licenseGroupIds": "Group2"}).json()["items"] == []
    refused = user.get(skus, params={"licenseGroupIds": "Group3"})
    assert (refused.status_code, refused.json()["code"]) == (400, 2000)

    person = _make_user(user, customer, "ann")
    assign = {"licensesToAssign": [{"skuId": item.sku_guid}], "licensesToRemove": []}
    base = f"/v1/customers/{customer}/users/{person['id']}"
    assert user.post(f"{base}/licenseupdates", json=assign).status_code == 201
    mine = user.get(f"{base}/licenses", params={"licenseGroupIds": "Group1"}).json()["items"]
    assert [lic["productSku"]["id"] for lic in mine] == [item.sku_guid]
    assert user.get(f"{base}/licenses", params={"licenseGroupIds": "Group2"}).json()["items"] == []


# -- the subscription etag: If-Match header or the body's attributes.etag -------------------------


@pytest.fixture
def subscription(sandbox: Sandbox, user: httpx.Client) -> tuple[str, dict[str, Any]]:
    item = sandbox.catalog.find("Microsoft 365 Business Basic")
    customer = ready_customer(user)
    buy(user, customer, line(item.catalog_item_id, 5))
    (found,) = user.get(f"/v1/customers/{customer}/subscriptions").json()["items"]
    return f"/v1/customers/{customer}/subscriptions/{found['id']}", found


def test_etag_in_the_body_alone(user: httpx.Client, subscription: Any) -> None:
    path, read = subscription
    fresh = user.patch(path, json={**read, "quantity": 6})
    assert fresh.status_code == 200, fresh.text
    stale = user.patch(path, json={**read, "quantity": 7})
    assert (stale.status_code, stale.json()["code"]) == (400, 2055)
    assert user.get(path).json()["quantity"] == 6


def test_every_etag_sent_must_be_current(user: httpx.Client, subscription: Any) -> None:
    path, read = subscription
    old = read["attributes"]["etag"]
    assert user.patch(path, json={**read, "quantity": 6}).status_code == 200
    current = user.get(path).json()
    new = current["attributes"]["etag"]
    header_fresh_body_stale = user.patch(
        path, json={**read, "quantity": 7}, headers={"If-Match": f'"{new}"'}
    )
    assert (header_fresh_body_stale.status_code, header_fresh_body_stale.json()["code"]) == (
        400,
        2055,
    )
    header_stale_body_fresh = user.patch(
        path, json={**current, "quantity": 7}, headers={"If-Match": f'"{old}"'}
    )
    assert header_stale_body_fresh.json()["code"] == 2055
    both = user.patch(path, json={**current, "quantity": 7}, headers={"If-Match": f'"{new}"'})
    assert both.status_code == 200, both.text
    without = {k: v for k, v in both.json().items() if k != "attributes"}
    assert user.patch(path, json={**without, "quantity": 8}).status_code == 200
