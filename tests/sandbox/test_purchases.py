"""Purchases: MCA, qualifications, offer limits, add-ons, relationships and resellers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from csp_commerce.sandbox import Sandbox

from .conftest import (
    FakeClock,
    accept_mca,
    admin,
    buy,
    create_customer,
    line,
    mca_body,
    ready_customer,
)


@pytest.fixture
def basic(sandbox: Sandbox) -> str:
    return sandbox.catalog.find("Microsoft 365 Business Basic").catalog_item_id


@pytest.fixture
def standard(sandbox: Sandbox) -> str:
    return sandbox.catalog.find("Microsoft 365 Business Standard").catalog_item_id


# -- MCA ------------------------------------------------------------------------------------------


def test_checkout_without_mca_is_403_13605_and_cart_stays_active(
    user: httpx.Client, basic: str
) -> None:
    customer = create_customer(user)
    cart = user.post(f"/v1/customers/{customer}/carts", json={"lineItems": [line(basic)]}).json()
    checkout = f"/v1/customers/{customer}/carts/{cart['id']}/checkout"
    refused = user.post(checkout)
    assert (refused.status_code, refused.json()["code"]) == (403, 13605)
    accept_mca(user, customer)
    placed = user.post(checkout)
    assert placed.status_code == 201
    assert len(placed.json()["orders"]) == 1
    assert user.get(f"/v1/customers/{customer}/carts/{cart['id']}").json()["status"] == "Ordered"


def test_legacy_order_without_mca_is_403_13605(user: httpx.Client, basic: str) -> None:
    customer = create_customer(user)
    order = {
        "referenceCustomerId": customer,
        "billingCycle": "monthly",
        "lineItems": [{"lineItemNumber": 0, "offerId": basic, "quantity": 3}],
    }
    refused = user.post(f"/v1/customers/{customer}/orders", json=order)
    assert (refused.status_code, refused.json()["code"]) == (403, 13605)
    accept_mca(user, customer)
    placed = user.post(f"/v1/customers/{customer}/orders", json=order)
    assert placed.status_code == 201
    assert placed.json()["status"] == "completed"
    subscriptions = user.get(f"/v1/customers/{customer}/subscriptions").json()["items"]
    assert [s["quantity"] for s in subscriptions] == [3]


def test_legacy_order_line_numbers_must_run_from_zero(user: httpx.Client, basic: str) -> None:
    customer = ready_customer(user)
    order = {
        "billingCycle": "monthly",
        "lineItems": [{"lineItemNumber": 1, "offerId": basic, "quantity": 3}],
    }
    refused = user.post(f"/v1/customers/{customer}/orders", json=order)
    assert refused.json()["code"] == 800071


def test_second_acceptance_with_same_contact_is_600061(user: httpx.Client) -> None:
    customer = ready_customer(user)
    again = user.post(f"/v1/customers/{customer}/agreements", json=mca_body())
    assert again.status_code == 400
    assert again.json()["code"] == 600061
    assert again.json()["isRetryable"] is False
    other = user.post(f"/v1/customers/{customer}/agreements", json=mca_body("bob@contoso.com"))
    assert other.status_code == 201
    listed = user.get(
        f"/v1/customers/{customer}/agreements",
        params={"agreementType": "MicrosoftCustomerAgreement"},
    ).json()
    assert listed["totalCount"] == 2


def test_agreement_needs_known_template(user: httpx.Client) -> None:
    customer = create_customer(user)
    templates = user.get("/v1/agreements?agreementType=MicrosoftCustomerAgreement").json()
    assert templates["items"][0]["templateId"] == mca_body()["templateId"]
    body = {**mca_body(), "templateId": "00000000-0000-0000-0000-000000000000"}
    assert user.post(f"/v1/customers/{customer}/agreements", json=body).status_code == 400


# -- qualifications ------------------------------------------------------------------------------


def test_segment_offer_needs_approved_qualification(sandbox: Sandbox, user: httpx.Client) -> None:
    a3 = sandbox.catalog.find("Office 365 A3 for faculty").catalog_item_id
    customer = ready_customer(user)
    refused = buy(user, customer, line(a3, 10, "annual"))
    assert refused.status_code == 201
    assert refused.json()["orders"] == []
    assert refused.json()["orderErrors"][0]["code"] == 800086

    applied = user.post(
        f"/v1/customers/{customer}/qualifications",
        json={"qualification": "Education", "educationSegment": "HigherEducation"},
    )
    assert applied.status_code == 201
    assert applied.json()["vettingStatus"] == "InReview"
    in_review = buy(user, customer, line(a3, 10, "annual"))
    assert in_review.json()["orderErrors"][0]["code"] == 800086

    sandbox.set_qualification(customer, "Education", "Approved")
    listed = user.get(f"/v1/customers/{customer}/qualifications").json()
    assert listed[0]["vettingStatus"] == "Approved"
    placed = buy(user, customer, line(a3, 10, "annual"))
    assert placed.json()["orderErrors"] == []
    assert len(placed.json()["orders"]) == 1


def test_nonprofit_qualification_not_settable_by_api(user: httpx.Client) -> None:
    customer = create_customer(user)
    response = user.post(
        f"/v1/customers/{customer}/qualifications", json={"qualification": "Nonprofit"}
    )
    assert response.status_code == 400


# -- offer limits --------------------------------------------------------------------------------


def test_business_plan_one_monthly_and_one_annual(user: httpx.Client, basic: str) -> None:
    customer = ready_customer(user)
    first = buy(user, customer, line(basic, 5, "monthly"), line(basic, 5, "annual", index=1))
    assert first.json()["orderErrors"] == []
    assert len(first.json()["orders"]) == 2  # one order per billing cycle
    again = buy(user, customer, line(basic, 5, "monthly"))
    assert again.json()["orders"] == []
    assert again.json()["orderErrors"][0]["code"] == 800066


def test_business_limit_applies_within_one_cart(user: httpx.Client, basic: str) -> None:
    customer = ready_customer(user)
    result = buy(user, customer, line(basic, 5), line(basic, 5, index=1))
    assert result.json()["orderErrors"][0]["code"] == 800066
    assert user.get(f"/v1/customers/{customer}/subscriptions").json()["totalCount"] == 0


def test_business_limit_is_per_plan(user: httpx.Client, basic: str, standard: str) -> None:
    customer = ready_customer(user)
    result = buy(user, customer, line(basic, 5), line(standard, 5, index=1))
    assert result.json()["orderErrors"] == []


def test_cancelled_subscription_frees_the_business_slot(user: httpx.Client, basic: str) -> None:
    customer = ready_customer(user)
    order = buy(user, customer, line(basic, 5)).json()["orders"][0]
    subscription_id = order["lineItems"][0]["subscriptionId"]
    path = f"/v1/customers/{customer}/subscriptions/{subscription_id}"
    subscription = user.get(path).json()
    cancelled = user.patch(path, json={**subscription, "status": "deleted"})
    assert cancelled.status_code == 200
    assert buy(user, customer, line(basic, 5)).json()["orderErrors"] == []


def test_business_seat_cap_across_the_customer(user: httpx.Client, basic: str) -> None:
    customer = ready_customer(user)
    assert buy(user, customer, line(basic, 200, "monthly")).json()["orderErrors"] == []
    over = buy(user, customer, line(basic, 150, "annual"))
    error = over.json()["orderErrors"][0]
    assert error["code"] == 800088
    assert "remaining limit of 100" in error["description"]
    assert buy(user, customer, line(basic, 100, "annual")).json()["orderErrors"] == []


def test_seat_cap_on_quantity_increase(user: httpx.Client, basic: str) -> None:
    customer = ready_customer(user)
    buy(user, customer, line(basic, 200, "monthly"), line(basic, 50, "annual", index=1))
    subscriptions = user.get(f"/v1/customers/{customer}/subscriptions").json()["items"]
    monthly = next(s for s in subscriptions if s["billingCycle"] == "monthly")
    path = f"/v1/customers/{customer}/subscriptions/{monthly['id']}"
    over = user.patch(path, json={**monthly, "quantity": 251})
    assert (over.status_code, over.json()["code"]) == (400, 800088)
    ok = user.patch(path, json={**monthly, "quantity": 250})
    assert ok.status_code == 200
    assert ok.json()["quantity"] == 250


def test_per_subscription_maximum(user: httpx.Client, basic: str) -> None:
    customer = ready_customer(user)
    result = buy(user, customer, line(basic, 301))
    assert result.json()["orderErrors"][0]["code"] == 800067


def test_unsupported_term_refused_at_cart(sandbox: Sandbox, user: httpx.Client) -> None:
    customer = ready_customer(user)
    e3 = sandbox.catalog.find("Office 365 E3").catalog_item_id
    response = user.post(
        f"/v1/customers/{customer}/carts",
        json={"lineItems": [line(e3, 1, "triennial", "P3Y")]},
    )
    assert (response.status_code, response.json()["code"]) == (400, 10013)
    unknown = user.post(
        f"/v1/customers/{customer}/carts", json={"lineItems": [line("NOPE:0001:X")]}
    )
    assert unknown.json()["code"] == 10001


def test_cart_cannot_be_checked_out_twice(user: httpx.Client, basic: str) -> None:
    customer = ready_customer(user)
    cart = user.post(f"/v1/customers/{customer}/carts", json={"lineItems": [line(basic)]}).json()
    checkout = f"/v1/customers/{customer}/carts/{cart['id']}/checkout"
    assert user.post(checkout).status_code == 201
    again = user.post(checkout)
    assert (again.status_code, again.json()["code"]) == (400, 800065)


def test_addon_needs_a_parent_subscription(sandbox: Sandbox, user: httpx.Client) -> None:
    phone = sandbox.catalog.find("Microsoft Teams Phone Standard").catalog_item_id
    e3 = sandbox.catalog.find("Office 365 E3").catalog_item_id
    customer = ready_customer(user)
    orphan = buy(user, customer, line(phone, 5))
    assert orphan.json()["orderErrors"][0]["code"] == 800029
    parent = buy(user, customer, line(e3, 5)).json()["orders"][0]["lineItems"][0]
    context = {"ParentSubscriptionId": parent["subscriptionId"]}
    placed = buy(user, customer, line(phone, 5, provisioningContext=context))
    assert placed.json()["orderErrors"] == []
    addons = user.get(
        f"/v1/customers/{customer}/subscriptions/{parent['subscriptionId']}/addons"
    ).json()
    assert addons["totalCount"] == 1


def test_subscription_fields_and_stale_etag(user: httpx.Client, basic: str) -> None:
    customer = ready_customer(user)
    order = buy(user, customer, line(basic, 5, "annual")).json()["orders"][0]
    by_order = user.get(
        f"/v1/customers/{customer}/subscriptions", params={"order_id": order["id"]}
    ).json()["items"]
    subscription = by_order[0]
    assert subscription["commitmentEndDate"] == "2026-01-01T00:00:00Z"
    assert subscription["cancellationAllowedUntilDate"] == "2025-01-08T00:00:00Z"
    assert subscription["offerId"] == basic
    path = f"/v1/customers/{customer}/subscriptions/{subscription['id']}"
    etag = subscription["attributes"]["etag"]
    changed = user.patch(path, json={**subscription, "quantity": 6}, headers={"If-Match": etag})
    assert changed.status_code == 200
    stale = user.patch(path, json={**subscription, "quantity": 7}, headers={"If-Match": etag})
    assert (stale.status_code, stale.json()["code"]) == (400, 2055)


def test_cancellation_window(user: httpx.Client, basic: str, clock: FakeClock) -> None:
    customer = ready_customer(user)
    subscription_id = buy(user, customer, line(basic, 5)).json()["orders"][0]["lineItems"][0][
        "subscriptionId"
    ]
    path = f"/v1/customers/{customer}/subscriptions/{subscription_id}"
    clock.advance(8 * 86400)
    subscription = user.get(path).json()
    late = user.patch(path, json={**subscription, "status": "deleted"})
    assert (late.status_code, late.json()["code"]) == (400, 900117)
    fewer = user.patch(path, json={**subscription, "quantity": 4})
    assert (fewer.status_code, fewer.json()["code"]) == (400, 800090)


# -- relationships and resellers -----------------------------------------------------------------


def test_existing_tenant_needs_relationship(
    sandbox: Sandbox, user: httpx.Client, basic: str
) -> None:
    tenant = sandbox.add_existing_tenant("northwind")
    assert user.head("/v1/domains/northwind.onmicrosoft.com").status_code == 200
    assert user.get(f"/v1/customers/{tenant}").status_code == 404
    refused = user.post(f"/v1/customers/{tenant}/carts", json={"lineItems": [line(basic)]})
    assert (refused.status_code, refused.json()["code"]) == (403, 20002)

    link = user.get("/v1/customers/relationshiprequests").json()["url"]
    assert sandbox.world.partner_tenant_id in link
    assert "partner-invitation" in link

    sandbox.accept_relationship(tenant)
    assert user.get(f"/v1/customers/{tenant}").json()["relationshipToPartner"] == "reseller"
    accept_mca(user, tenant)
    assert buy(user, tenant, line(basic, 2)).json()["orderErrors"] == []


def test_relationship_accepted_over_the_admin_route(sandbox: Sandbox, user: httpx.Client) -> None:
    created = user.post(
        "/sandbox/v1/tenants", json={"domain": "tailspin.onmicrosoft.com"}, headers=admin(sandbox)
    )
    tenant = created.json()["tenantId"]
    accept = f"/sandbox/v1/customers/{tenant}/relationship/accept"
    assert user.post(accept, headers=admin(sandbox)).status_code == 200
    assert user.get(f"/v1/customers/{tenant}").status_code == 200


def test_several_resellers_keep_their_partner_id(
    sandbox: Sandbox, user: httpx.Client, basic: str, standard: str
) -> None:
    sandbox.add_reseller("5100001", "Reseller One")
    sandbox.add_reseller("5100002", "Reseller Two")
    customer = ready_customer(user)

    def by(mpn: str) -> dict[str, Any]:
        return {"participants": [{"key": "transaction_reseller", "value": mpn}]}

    one = buy(user, customer, line(basic, 3, **by("5100001")), attested=True)
    two = buy(user, customer, line(standard, 4, **by("5100002")), attested=True)
    assert one.json()["orderErrors"] == two.json()["orderErrors"] == []
    assert one.json()["orders"][0]["lineItems"][0]["partnerIdOnRecord"] == "5100001"
    mine = user.get(f"/v1/customers/{customer}/subscriptions", params={"mpn_id": "5100002"})
    assert [s["partnerId"] for s in mine.json()["items"]] == ["5100002"]
    relations = user.get(f"/v1/customers/{customer}/relationships").json()["items"]
    assert sorted(r["mpnId"] for r in relations) == ["5100001", "5100002"]


def test_legacy_order_keeps_partner_id_on_record(
    sandbox: Sandbox, user: httpx.Client, basic: str
) -> None:
    sandbox.add_reseller("5100001", "Reseller One")
    customer = ready_customer(user)
    order = {
        "billingCycle": "annual",
        "lineItems": [
            {"lineItemNumber": 0, "offerId": basic, "quantity": 1, "partnerIdOnRecord": "5100001"}
        ],
    }
    assert user.post(f"/v1/customers/{customer}/orders", json=order).status_code == 201
    subscription = user.get(f"/v1/customers/{customer}/subscriptions").json()["items"][0]
    assert subscription["partnerId"] == "5100001"


def test_participants_need_attestation(sandbox: Sandbox, user: httpx.Client, basic: str) -> None:
    sandbox.add_reseller("5100001", "Reseller One")
    customer = ready_customer(user)
    participants = [{"key": "transaction_reseller", "value": "5100001"}]
    response = user.post(
        f"/v1/customers/{customer}/carts",
        json={"lineItems": [line(basic, participants=participants)]},
    )
    assert response.status_code == 400


def test_unknown_or_unsigned_reseller_refused(
    sandbox: Sandbox, user: httpx.Client, basic: str, standard: str
) -> None:
    sandbox.add_reseller("5100003", "Unsigned", mpa_signed=False)
    customer = ready_customer(user)
    unknown = [{"key": "transaction_reseller", "value": "999999"}]
    unsigned = [{"key": "transaction_reseller", "value": "5100003"}]
    first = buy(user, customer, line(basic, participants=unknown), attested=True)
    assert first.json()["orderErrors"][0]["code"] == 800015
    second = buy(user, customer, line(standard, participants=unsigned), attested=True)
    assert second.json()["orderErrors"][0]["code"] == 900123


def test_mpn_lookup_and_mpa_status(sandbox: Sandbox, user: httpx.Client) -> None:
    sandbox.add_reseller("5100001", "Reseller One")
    sandbox.add_reseller("5100003", "Unsigned", mpa_signed=False)
    profile = user.get("/v1/profiles/mpn", params={"mpnId": "5100001"})
    assert profile.json()["partnerName"] == "Reseller One"
    missing = user.get("/v1/profiles/mpn", params={"mpnId": "4000000"})
    assert (missing.status_code, missing.json()["code"]) == (404, 3000)
    status = "/v1/compliance/csp/agreementstatus"
    assert user.get(status, params={"mpnId": "5100001"}).json() == {"isAgreementSigned": True}
    assert user.get(status, params={"mpnId": "5100003"}).json() == {"isAgreementSigned": False}
    assert user.get(status, params={"mpnId": "4000000"}).json()["code"] == 2200
    assert user.get(status).json()["code"] == 2001
    resellers = user.get(
        "/v1/relationships", params={"relationship_type": "IsIndirectCloudSolutionProviderOf"}
    ).json()
    assert {r["mpnId"] for r in resellers["items"]} == {"5100001", "5100003"}


def test_each_seat_increase_has_its_own_refund_window(
    user: httpx.Client, basic: str, clock: FakeClock
) -> None:
    customer = ready_customer(user)
    subscription_id = buy(user, customer, line(basic, 5)).json()["orders"][0]["lineItems"][0][
        "subscriptionId"
    ]
    path = f"/v1/customers/{customer}/subscriptions/{subscription_id}"
    clock.advance(8 * 86400)  # the purchase's 5 seats can no longer be taken back
    more = user.patch(path, json={**user.get(path).json(), "quantity": 8})
    assert more.status_code == 200
    assert more.json()["refundableQuantity"]["totalQuantity"] == 3
    clock.advance(86400)  # the 3 new seats are still inside their own window
    fewer = user.patch(path, json={**user.get(path).json(), "quantity": 5})
    assert fewer.status_code == 200
    assert fewer.json()["refundableQuantity"]["totalQuantity"] == 0
    too_few = user.patch(path, json={**user.get(path).json(), "quantity": 4})
    assert (too_few.status_code, too_few.json()["code"]) == (400, 800090)
