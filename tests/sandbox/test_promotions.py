"""The sandbox's promotions, promotion eligibility (with its own 625/min limit) and custom term
end dates, and cart lines carrying ``promotionId`` and ``customTermEndDate``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from csp_commerce.sandbox import Sandbox
from csp_commerce.sandbox.promotion_routes import ELIGIBILITY_LIMIT_PER_MINUTE

from .conftest import FakeClock, line, ready_customer

E3_ANNUAL = "39NFJQT1SP01:0001:39NFJQT1Q5P1"
E3_THREE_YEARS = "39NFJQT1SP02:0001:39NFJQT1Q5P2"
PREMIUM_NEW = "39NFJQT1SP03:0002:39NFJQT1Q5P3"


def _item(sandbox: Sandbox, title: str) -> str:
    return sandbox.catalog.find(title).catalog_item_id


def check(client: httpx.Client, customer: str, *items: dict[str, Any]) -> httpx.Response:
    body = {"items": [{"id": n, **item} for n, item in enumerate(items)]}
    return client.post(f"/v1/customers/{customer}/promotionEligibilities", json=body)


def plan(catalog_item_id: str, quantity: int, term: str, cycle: str, **more: Any) -> dict[str, Any]:
    return {"catalogItemId": catalog_item_id, "quantity": quantity, "termDuration": term,
            "billingCycle": cycle, **more}  # fmt: skip


def buy(client: httpx.Client, customer: str, *lines: dict[str, Any]) -> httpx.Response:
    cart = client.post(f"/v1/customers/{customer}/carts", json={"lineItems": list(lines)})
    if cart.status_code != 201:
        return cart
    return client.post(f"/v1/customers/{customer}/carts/{cart.json()['id']}/checkout")


def test_promotions_of_a_market_with_their_plans_and_discounts(user: httpx.Client) -> None:
    listed = user.get("/v1/productpromotions", params={"country": "US", "segment": "commercial"})
    assert listed.status_code == 200
    by_id = {p["id"]: p for p in listed.json()["items"]}
    required = by_id[E3_ANNUAL]["requiredProducts"][0]
    assert required["term"] == {"duration": "P1Y", "billingCycle": "Annual"}
    assert required["pricingPolicies"] == [{"policyType": "PercentDiscount", "value": "0.15"}]
    one = user.get(f"/v1/productpromotions/{E3_ANNUAL}", params={"country": "US"})
    assert one.json()["name"] == by_id[E3_ANNUAL]["name"]
    # Partner Center documents the commercial segment only; both parameters are required
    other = user.get("/v1/productpromotions", params={"country": "US", "segment": "education"})
    assert other.json()["items"] == []
    assert user.get("/v1/productpromotions", params={"country": "US"}).status_code == 400
    assert user.get("/v1/productpromotions/39NFJQT1XXXX:0001:X").status_code == 404


def test_eligibility_verdicts_with_partner_centers_error_types(
    sandbox: Sandbox, user: httpx.Client
) -> None:
    customer = ready_customer(user)
    e3 = _item(sandbox, "Microsoft 365 E3")
    answer = check(
        user, customer,
        plan(e3, 10, "P1Y", "annual"),  # every promotion of the offer judged
        plan(e3, 2, "P1Y", "annual", promotionId=E3_ANNUAL),  # below the promotion's 5 seats
        plan("CFQ7TTC0XXXX:0001:CFQ7TTC0XXXX", 1, "P1Y", "annual"),
        plan(e3, 10, "P1Y", "annual", promotionId=PREMIUM_NEW),  # another product's
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    everything, seats, unknown, other = answer.json()["items"]
    verdicts = {v["promotionId"]: v for v in everything["eligibilities"]}
    assert verdicts[E3_ANNUAL] == {"promotionId": E3_ANNUAL, "isEligible": True}
    assert [e["type"] for e in verdicts[E3_THREE_YEARS]["errors"]] == ["Term"]
    (seat_error,) = seats["eligibilities"][0]["errors"]
    assert seat_error["type"] == "SeatCount" and seat_error["minimumRequiredSeats"] == 5
    assert unknown["eligibilities"][0]["errors"][0]["type"] == "InvalidCatalogItemId"
    assert other["eligibilities"][0]["errors"][0]["type"] == "InvalidPromotion"
    assert check(user, "no-such-customer", plan(e3, 1, "P1Y", "annual")).status_code == 404
    assert user.post(f"/v1/customers/{customer}/promotionEligibilities", json={}).status_code == 400


def test_a_new_customers_promotion_is_refused_once_the_product_was_bought(
    sandbox: Sandbox, user: httpx.Client
) -> None:
    customer = ready_customer(user)
    premium = _item(sandbox, "Microsoft 365 Business Premium")
    wanted = plan(premium, 10, "P1Y", "annual", promotionId=PREMIUM_NEW)
    assert check(user, customer, wanted).json()["items"][0]["eligibilities"][0]["isEligible"]
    assert buy(user, customer, line(premium, 1, "monthly", "P1M")).status_code == 201
    (verdict,) = check(user, customer, wanted).json()["items"][0]["eligibilities"]
    assert [e["type"] for e in verdict["errors"]] == ["OfferPurchasedPreviously"]


def test_the_eligibility_route_allows_625_requests_a_minute(
    sandbox: Sandbox, clock: FakeClock, user: httpx.Client
) -> None:
    customer = ready_customer(user)
    e3 = plan(_item(sandbox, "Microsoft 365 E3"), 10, "P1Y", "annual")
    statuses = [check(user, customer, e3).status_code for _ in range(ELIGIBILITY_LIMIT_PER_MINUTE)]
    assert set(statuses) == {200}
    refused = check(user, customer, e3)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    # other routes are not counted against it
    assert user.get(f"/v1/customers/{customer}").status_code == 200
    clock.advance(60)
    assert check(user, customer, e3).status_code == 200


def test_a_cart_line_carries_its_promotion_to_the_subscription_and_the_price(
    sandbox: Sandbox, user: httpx.Client
) -> None:
    customer = ready_customer(user)
    e3 = _item(sandbox, "Microsoft 365 E3")
    wrong_plan = line(e3, 10, "monthly", "P1Y", promotionId=E3_ANNUAL)
    refused = buy(user, customer, wrong_plan)
    assert refused.status_code == 400 and refused.json()["code"] == 10014
    done = buy(user, customer, line(e3, 10, "annual", "P1Y", promotionId=E3_ANNUAL))
    assert done.status_code == 201, done.text
    (order,) = done.json()["orders"]
    assert order["lineItems"][0]["promotionId"] == E3_ANNUAL
    # 36.00 a month, 15 % off, 10 seats, a year: 3,672.00
    assert Decimal(str(order["totalPrice"])) == Decimal("3672.00")
    subscription = user.get(
        f"/v1/customers/{customer}/subscriptions/{order['lineItems'][0]['subscriptionId']}"
    ).json()
    assert subscription["promotionId"] == E3_ANNUAL


def test_custom_term_end_dates_and_a_co_terminated_purchase(
    sandbox: Sandbox, user: httpx.Client
) -> None:
    customer = ready_customer(user)
    assert buy(user, customer, line(_item(sandbox, "Office 365 E3"), 1, "annual")).is_success
    (existing,) = user.get(f"/v1/customers/{customer}/subscriptions").json()["items"]
    path = f"/v1/customers/{customer}/subscriptions/customTermEndDates"
    dates = user.get(path, params={"term_duration": "P1Y"}).json()["items"]
    # bought 2025-01-01 (the fake clock): the last month end inside a year, and the E3's end
    assert dates == [
        {"allowedCustomTermEndDateType": "calendarMonthAligned",
         "allowedCustomTermEndDate": "2025-12-31T00:00:00"},
        {"allowedCustomTermEndDateType": "subscriptionAligned",
         "cotermSubscriptionIds": [existing["id"]],
         "allowedCustomTermEndDate": "2026-01-01T00:00:00"},
    ]  # fmt: skip
    monthly = user.get(path, params={"term_duration": "P1M"}).json()["items"]
    assert [d["allowedCustomTermEndDate"] for d in monthly] == ["2025-01-31T00:00:00"]
    assert user.get(path, params={"term_duration": "P2Y"}).status_code == 400

    basic = _item(sandbox, "Microsoft 365 Business Basic")
    refused = buy(user, customer, line(basic, 1, "monthly", "P1Y", customTermEndDate="2025-07-15"))
    assert refused.status_code == 400 and refused.json()["code"] == 10017
    done = buy(user, customer, line(basic, 1, "monthly", "P1Y", customTermEndDate="2025-12-31"))
    assert done.status_code == 201, done.text
    sub_id = done.json()["orders"][0]["lineItems"][0]["subscriptionId"]
    bought = user.get(f"/v1/customers/{customer}/subscriptions/{sub_id}").json()
    assert bought["commitmentEndDate"].startswith("2025-12-31")


def test_end_dates_are_seek_paged(sandbox: Sandbox, user: httpx.Client) -> None:
    customer = ready_customer(user)
    assert buy(user, customer, line(_item(sandbox, "Office 365 E3"), 1, "annual")).is_success
    path = f"/v1/customers/{customer}/subscriptions/customTermEndDates"
    first = user.get(path, params={"term_duration": "P1Y", "size": 1}).json()
    assert len(first["items"]) == 1
    link = first["links"]["next"]
    headers = {h["key"]: h["value"] for h in link["headers"]}
    second = user.get(link["uri"], headers=headers).json()
    assert second["items"][0]["allowedCustomTermEndDateType"] == "subscriptionAligned"
