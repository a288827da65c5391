"""Customer creation and lookup: the rules Partner Center applies to a new tenant."""

from __future__ import annotations

import httpx
import pytest

from csp_commerce.sandbox import Sandbox

from .conftest import create_customer, customer_body


def test_create_customer_returns_tenant_and_admin_credentials(app: httpx.Client) -> None:
    response = app.post("/v1/customers", json=customer_body("fabrikam"))
    assert response.status_code == 201
    body = response.json()
    assert body["companyProfile"]["domain"] == "fabrikam.onmicrosoft.com"
    assert body["relationshipToPartner"] == "reseller"
    assert body["userCredentials"]["userName"] == "admin"
    fetched = app.get(f"/v1/customers/{body['id']}")
    assert fetched.status_code == 200
    assert "userCredentials" not in fetched.json()


def test_domain_check_and_taken_domain_refused(app: httpx.Client) -> None:
    assert app.head("/v1/domains/contoso.onmicrosoft.com").status_code == 404
    create_customer(app, "contoso")
    assert app.head("/v1/domains/contoso.onmicrosoft.com").status_code == 200
    again = app.post("/v1/customers", json=customer_body("contoso"))
    assert again.status_code == 409
    assert again.json()["code"] == 2000


def test_malformed_domain_refused(app: httpx.Client) -> None:
    response = app.post("/v1/customers", json=customer_body("not-valid_name"))
    assert response.status_code == 400


def test_domain_is_judged_before_lower_casing(app: httpx.Client) -> None:
    # The Kelvin sign lower-cases to an ASCII "k": it must not pass as one.
    kelvin = app.post("/v1/customers", json=customer_body("\u212aontoso"))
    assert kelvin.status_code == 400
    assert app.head("/v1/domains/kontoso.onmicrosoft.com").status_code == 404
    capitals = app.post("/v1/customers", json=customer_body("Kontoso"))
    assert capitals.status_code == 201
    assert capitals.json()["companyProfile"]["domain"] == "kontoso.onmicrosoft.com"
    again = app.post("/v1/customers", json=customer_body("KONTOSO"))
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"postalCode": "9805"}, "postalCode"),
        ({"state": None}, "state"),
        ({"state": "XX"}, "state"),
        ({"city": None}, "city"),
        ({"postalCode": "10001"}, "postalCode"),  # a New York code with state WA
        ({"country": "ZZ"}, "country"),
    ],
)
def test_address_checked_with_country_rules(
    app: httpx.Client, changes: dict[str, object], field: str
) -> None:
    response = app.post("/v1/customers", json=customer_body("contoso", **changes))
    assert response.status_code == 400
    assert response.json()["code"] == 2007
    assert response.json()["data"] == [field]
    assert app.head("/v1/domains/contoso.onmicrosoft.com").status_code == 404


def test_postal_code_is_normalised(app: httpx.Client) -> None:
    body = customer_body("contoso", country="GB", state=None, city="London", postalCode="ec1y 8sy")
    response = app.post("/v1/customers", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["billingProfile"]["defaultAddress"]["postalCode"] == "EC1Y 8SY"


def _hungarian(registration: str | None, phone: str | None) -> dict[str, object]:
    body = customer_body(
        "budapest", country="HU", state=None, city="Budapest", postalCode="1037", phoneNumber=phone
    )
    if registration is not None:
        body["companyProfile"]["organizationRegistrationNumber"] = registration
    return body


def test_registration_number_required_in_listed_country(app: httpx.Client) -> None:
    response = app.post("/v1/customers", json=_hungarian(None, "+3612345678"))
    assert (response.status_code, response.json()["code"]) == (400, 600049)


def test_phone_required_in_listed_country(app: httpx.Client) -> None:
    response = app.post("/v1/customers", json=_hungarian("01-09-123456", None))
    assert (response.status_code, response.json()["code"]) == (400, 600051)


def test_listed_country_with_both_succeeds(app: httpx.Client) -> None:
    response = app.post("/v1/customers", json=_hungarian("01-09-123456", "+3612345678"))
    assert response.status_code == 201, response.text
    assert response.json()["companyProfile"]["organizationRegistrationNumber"] == "01-09-123456"


def test_registration_number_refused_for_other_countries(app: httpx.Client) -> None:
    body = customer_body("contoso")
    body["companyProfile"]["organizationRegistrationNumber"] = "123"
    response = app.post("/v1/customers", json=body)
    assert (response.status_code, response.json()["code"]) == (400, 600002)


def test_country_validation_rules_in_partner_center_shape(app: httpx.Client) -> None:
    body = app.get("/v1/countryvalidationrules/US").json()
    assert body["iso2Code"] == "US"
    assert body["isStateRequired"] is True
    assert "WA" in body["supportedStatesList"]
    assert body["isPostalCodeRequired"] is True
    assert body["isCityRequired"] is True
    import re

    assert re.match(body["postalCodeRegex"], "98052-8300")
    assert not re.match(body["postalCodeRegex"], "9805")
    assert app.get("/v1/countryvalidationrules/ZZ").status_code == 404


def test_address_validation_endpoint(app: httpx.Client) -> None:
    good = dict(customer_body()["billingProfile"]["defaultAddress"])
    verified = app.post("/v1/validations/address", json=good).json()
    assert verified["status"] == "Verified"
    assert len(verified["suggestedAddresses"]) == 1
    wrong = app.post("/v1/validations/address", json={**good, "postalCode": "ABC"}).json()
    assert wrong["status"] == "None"
    assert wrong["suggestedAddresses"] == []


def test_unknown_customer_is_404(app: httpx.Client) -> None:
    response = app.get("/v1/customers/00000000-0000-0000-0000-000000000000")
    assert (response.status_code, response.json()["code"]) == (404, 1000)


def test_customer_list_pages_with_continuation_tokens(sandbox: Sandbox, app: httpx.Client) -> None:
    created = {create_customer(app, f"tenant{i}") for i in range(5)}
    seen: list[str] = []
    page = app.get("/v1/customers", params={"size": 2}).json()
    pages = 1
    while True:
        seen += [item["id"] for item in page["items"]]
        next_link = page["links"].get("next")
        if next_link is None:
            break
        headers = {h["key"]: h["value"] for h in next_link["headers"]}
        assert "MS-ContinuationToken" in headers
        page = app.get(next_link["uri"], headers=headers).json()
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(created)


def test_bad_continuation_token_refused(app: httpx.Client) -> None:
    response = app.get(
        "/v1/customers?size=2&seekOperation=Next", headers={"MS-ContinuationToken": "bogus!"}
    )
    assert response.status_code == 400
