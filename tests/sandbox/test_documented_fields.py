"""Every route's answer carries every field Partner Center documents for it (issue 16, item 2).

One scenario walks the whole route table through the sandbox over HTTP (a customer, its MCA,
a qualification, a reseller, a legacy order, a cart, subscriptions, users and licences, an
invoice, the catalogue) and records each answer under the route it came from. For each route
whose answer is a Partner Center resource, the fields its wire model declares
(:func:`csp_commerce.provisioning.wire.responses.documented_fields`: the models declare the
fields Partner Center documents) must all be in every recorded answer (in every item of a
collection or array); a field may be null, but not missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from csp_commerce.models.routes import ROUTES, RouteSpec
from csp_commerce.provisioning.wire.responses import documented_fields, response_model
from csp_commerce.sandbox import Sandbox

from .conftest import FakeClock, address, client_for, customer_body, line, mca_body

MODELLED = [route for route in ROUTES if response_model(route.response) is not None]


def _pattern(route: RouteSpec) -> re.Pattern[str]:
    body = re.sub(r"\\\{[A-Za-z0-9]+\\\}", "[^/]+", re.escape(route.path))
    return re.compile(body, re.IGNORECASE)


# Literal routes first: /v1/customers/relationshiprequests before /v1/customers/{customerId}.
_MATCHERS = sorted(
    ((route, _pattern(route)) for route in ROUTES), key=lambda pair: len(pair[0].path_params)
)


class Recorder:
    """An HTTP client for the scenario that keeps each answer under its table route."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.answers: dict[tuple[str, str], list[Any]] = {}

    def send(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        assert response.is_success, (method, path, response.text)
        bare = path[len("/v1.0") :] if path.startswith("/v1.0/") else path  # Graph's version
        route = next(
            r for r, pattern in _MATCHERS if r.method == method and pattern.fullmatch(bare)
        )
        body = response.json() if response.content else None
        self.answers.setdefault(route.key, []).append(body)
        return body


def _scenario(sandbox: Sandbox, http: Recorder) -> None:
    send = http.send
    basic = sandbox.catalog.find("Microsoft 365 Business Basic")
    e3 = sandbox.catalog.find("Office 365 E3")
    reseller = sandbox.add_reseller("5100001", "Fabrikam IT")
    teams_phone = sandbox.catalog.find("Microsoft Teams Phone Standard")

    customer = send("POST", "/v1/customers", json=customer_body())["id"]
    c = f"/v1/customers/{customer}"
    send("GET", c)
    send("GET", "/v1/customers", params={"size": 10})
    send("GET", f"{c}/profiles/company")
    send("GET", f"{c}/profiles/billing")
    send("POST", "/v1/validations/address", json=address())
    send("GET", "/v1/countryvalidationrules/US")

    send("GET", "/v1/agreements", params={"agreementType": "MicrosoftCustomerAgreement"})
    send("POST", f"{c}/agreements", json=mca_body())
    send("GET", f"{c}/agreements")
    qualification = {"qualification": "Education", "educationSegment": "K12"}
    send("POST", f"{c}/qualifications", json=qualification)
    send("GET", f"{c}/qualifications")

    send("GET", "/v1/customers/relationshiprequests")
    providers = {"relationship_type": "IsIndirectCloudSolutionProviderOf"}
    send("GET", "/v1/relationships", params=providers)
    # A customer of the indirect reseller: it carries associatedPartnerId and its reseller.
    theirs = customer_body("fabrikamclient") | {"associatedPartnerId": reseller}
    indirect = send("POST", "/v1/customers", json=theirs)["id"]
    send("GET", f"/v1/customers/{indirect}")
    send("GET", f"/v1/customers/{indirect}/relationships")
    send("GET", "/v1/profiles/mpn")
    send("GET", "/v1/compliance/csp/agreementstatus", params={"mpnId": "5100001"})

    order = {
        "referenceCustomerId": customer,
        "billingCycle": "monthly",
        "lineItems": [{"lineItemNumber": 0, "offerId": e3.catalog_item_id, "quantity": 2}],
    }
    order_id = send("POST", f"{c}/orders", json=order)["id"]
    send("GET", f"{c}/orders")
    send("GET", f"{c}/orders/{order_id}")
    send("GET", f"{c}/orders/{order_id}/provisioningstatus")

    cart = send(
        "POST", f"{c}/carts", json={"lineItems": [line(basic.catalog_item_id, 3, "monthly", "P1M")]}
    )
    send("GET", f"{c}/carts/{cart['id']}")
    cart = send("PUT", f"{c}/carts/{cart['id']}", json=cart)
    send("POST", f"{c}/carts/{cart['id']}/checkout")

    subscriptions = send("GET", f"{c}/subscriptions")["items"]
    subscription = next(s for s in subscriptions if s["offerId"] == basic.catalog_item_id)
    s = f"{c}/subscriptions/{subscription['id']}"
    current = send("GET", s)
    send("PATCH", s, json={**current, "quantity": 4})
    addon = line(
        teams_phone.catalog_item_id,
        1,
        "monthly",
        "P1M",
        provisioningContext={"parentSubscriptionId": subscription["id"]},
    )
    addon_cart = send("POST", f"{c}/carts", json={"lineItems": [addon]})
    send("POST", f"{c}/carts/{addon_cart['id']}/checkout")
    send("GET", f"{s}/addons")
    send("GET", f"{s}/provisioningstatus")

    person = {
        "userPrincipalName": "ann@contoso.onmicrosoft.com",
        "firstName": "Ann",
        "lastName": "Doe",
        "displayName": "Ann Doe",
        "usageLocation": "US",
        "passwordProfile": {"password": "Str0ng!Passw0rd", "forceChangePassword": True},
    }
    user_id = send("POST", f"{c}/users", json=person)["id"]
    u = f"{c}/users/{user_id}"
    users = send("GET", f"{c}/users")["items"]
    admin = next(x for x in users if x["userPrincipalName"].startswith("admin@"))
    send("GET", f"{c}/users/{admin['id']}/directoryroles")
    send("GET", u)
    send("PATCH", u, json={"displayName": "Ann D."})
    assign = {"licensesToAssign": [{"skuId": basic.sku_guid}], "licensesToRemove": []}
    send("POST", f"{u}/licenseupdates", json=assign)
    send("GET", f"{u}/licenses")
    send("GET", f"{c}/subscribedskus")

    number = sandbox.generate_invoice(2025, 1)["id"]
    send("GET", "/v1/invoices")
    send("GET", f"/v1/invoices/{number}")
    query = {"provider": "onetime", "invoicelineitemtype": "billinglineitems"}
    send("GET", f"/v1/invoices/{number}/lineitems", params=query)
    send("GET", "/v1/auditrecords", params={"startDate": "2024-12-01"})

    us = {"country": "US"}
    send("GET", "/v1/products", params={**us, "targetView": "OnlineServices"})
    p = f"/v1/products/{basic.product_id}"
    send("GET", p, params=us)
    send("GET", f"{p}/skus", params=us)
    send("GET", f"{p}/skus/{basic.sku_id}", params=us)
    send("GET", f"{p}/skus/{basic.sku_id}/availabilities", params=us)
    send("GET", f"{p}/skus/{basic.sku_id}/availabilities/{basic.availability_id}", params=us)

    # promotions and co-termination
    promotions = send("GET", "/v1/productpromotions", params={**us, "segment": "commercial"})
    send("GET", f"/v1/productpromotions/{promotions['items'][0]['id']}", params=us)
    m365_e3 = sandbox.catalog.find("Microsoft 365 E3")
    check = {"catalogItemId": m365_e3.catalog_item_id, "quantity": 10}
    check |= {"termDuration": "P1Y", "billingCycle": "annual", "id": 0}
    send("POST", f"{c}/promotionEligibilities", json={"items": [check]})
    send("GET", f"{c}/subscriptions/customTermEndDates", params={"term_duration": "P1Y"})

    # Microsoft Graph: a reconciliation v2 export polled to its end, and GDAP.
    export = "/v1.0/reports/partners/billing/reconciliation/billed/export"
    accepted = http.client.post(export, json={"invoiceId": number, "attributeSet": "full"})
    operation = httpx.URL(accepted.headers["location"]).path
    while send("GET", operation)["status"] != "succeeded":
        pass
    reader = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"  # Global Reader
    g = "/v1.0/tenantRelationships/delegatedAdminRelationships"
    relationship = send("POST", g, json={
        "displayName": "Contoso admin", "duration": "P730D", "customer": {"tenantId": customer},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": reader}]},
    })["id"]  # fmt: skip
    send("GET", g)
    send("GET", f"{g}/{relationship}")
    send("POST", f"{g}/{relationship}/requests", json={"action": "lockForApproval"})
    send("GET", f"{g}/{relationship}/operations")
    sandbox.approve_gdap(relationship)
    roles = {"unifiedRoles": [{"roleDefinitionId": reader}]}
    container = {"accessContainerId": "group-1", "accessContainerType": "securityGroup"}
    a = f"{g}/{relationship}/accessAssignments"
    assignment = send("POST", a, json={"accessContainer": container, "accessDetails": roles})
    send("GET", a)
    send("GET", f"{a}/{assignment['id']}")
    etag = {"If-Match": assignment["@odata.etag"]}
    send("PATCH", f"{a}/{assignment['id']}", json={"accessDetails": roles}, headers=etag)

    # Webhooks.
    w = "/webhooks/v1/registration"
    events = ["test-created"]
    send("POST", w, json={"WebhookUrl": "https://127.0.0.1/hook", "WebhookEvents": events})
    send("GET", w)
    send("PUT", w, json={"WebhookUrl": "https://127.0.0.1/hook2", "WebhookEvents": events})
    send("GET", f"{w}/events")
    correlation = send("POST", f"{w}/validationEvents")["correlationId"]
    send("GET", f"{w}/validationEvents/{correlation}")

    # Upgrades (a transition of one seat of the Business Basic subscription) and transfers.
    premium = sandbox.catalog.find("Microsoft 365 Business Premium").catalog_item_id
    send("GET", f"{s}/transitionEligibilities", params={"eligibilityType": "immediate"})
    send("POST", f"{s}/transitions", json={"toCatalogItemId": premium, "quantity": 1})
    send("GET", f"{s}/transitions")
    other = "0a1b2c3d-0000-4000-8000-00000000beef"
    incoming = send("POST", f"{c}/transfers", json={
        "sourcePartnerTenantId": other, "sourcePartnerName": "Contoso Partner",
        "customerEmailId": "ada@contoso.com", "targetPartnerEmailId": "sales@partner.example",
        "targetProductTypes": ["OnlineServicesNCE"], "transferType": 5,
    })  # fmt: skip
    send("GET", f"{c}/transfers/{incoming['id']}")
    outgoing = sandbox.request_transfer(customer, other)
    moved = {"subscriptionId": subscription["id"], "quantity": 1}
    send("PATCH", f"{c}/transfers/{outgoing['id']}",
         json={**outgoing, "lineItems": [moved], "status": "Complete"})  # fmt: skip
    send("GET", f"{c}/transfers")


@pytest.fixture(scope="module")
def answers() -> Iterator[dict[tuple[str, str], list[Any]]]:
    clock = FakeClock()
    sandbox = Sandbox(seed=7, clock=clock, sleep=clock.advance)
    with client_for(sandbox, "sandbox-user") as client:
        recorder = Recorder(client)
        _scenario(sandbox, recorder)
        yield recorder.answers


def _resources(route: RouteSpec, body: Any) -> list[Any]:
    if route.response.startswith("Collection["):
        return list(body["items"])
    if route.response.endswith("[]"):
        return list(body)
    return [body]


@pytest.mark.parametrize("route", MODELLED, ids=lambda route: f"{route.method} {route.path}")
def test_every_documented_field_is_in_the_answer(
    answers: dict[tuple[str, str], list[Any]], route: RouteSpec
) -> None:
    model = response_model(route.response)
    assert model is not None
    fields = documented_fields(model)
    recorded = answers.get(route.key)
    assert recorded, "the scenario did not call this route"
    resources = [item for body in recorded for item in _resources(route, body)]
    assert resources, "the scenario's answers were all empty"
    for resource in resources:
        missing = [name for name in fields if name not in resource]
        assert missing == [], f"{route.response} lacks {missing}"


def test_every_route_with_a_resource_answer_has_a_wire_model() -> None:
    untyped = {"", "bool", "object", "pdf", "gzip", "pem", "string[]"}
    assert [r.response for r in ROUTES if r.response not in untyped and r not in MODELLED] == []


def test_qualifications_spell_the_date_as_partner_center_does(
    answers: dict[tuple[str, str], list[Any]],
) -> None:
    (created,) = answers[("POST", "/v1/customers/{}/qualifications")]
    assert "vettingCreateDate" in created and "vettingCreatedDate" not in created
