"""The facts gatherer: what it fetches, and how Partner Center's answers become CheckoutFacts."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import respx
from pc_fakes import BASE, FakeCredential, collection, pc_error
from provisioning.test_resources import SUBSCRIPTION

from csp_commerce.checkout import FactsCache
from csp_commerce.checkout.gather_facts import gather_facts, gather_facts_async
from csp_commerce.models import (
    Address,
    BillingCycle,
    CompanyProfile,
    Customer,
    Offer,
    Order,
    OrderLine,
    Qualification,
    Relationship,
    Reseller,
)
from csp_commerce.models.clouds import Cloud
from csp_commerce.models.facts import VettingStatus
from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient

TENANT = "t-1"


def make_order(*, tenant_id: str | None = TENANT, reseller: bool = True) -> Order:
    return Order(
        customer=Customer(
            reference="cust-9",
            company=CompanyProfile(company_name="Contoso", domain="contoso.onmicrosoft.com"),
            address=Address(country="US", state="WA", city="Redmond", postal_code="98052"),
            tenant_id=tenant_id,
        ),
        lines=(
            OrderLine(
                offer=Offer(id="CFQ7TTC0LH18:0001", product_id="CFQ7TTC0LH18", name="Basic"),
                quantity=1,
            ),
        ),
        reseller=Reseller(partner_id="7654321", name="Fabrikam") if reseller else None,
    )


def existing_tenant(router: respx.MockRouter, relationship: str = "reseller") -> None:
    router.get(f"/v1/customers/{TENANT}").respond(
        json={
            "id": TENANT,
            "relationshipToPartner": relationship,
            "companyProfile": {"domain": "contoso.onmicrosoft.com"},
        }
    )
    router.get(f"/v1/customers/{TENANT}/subscriptions").respond(
        json=collection(
            [
                SUBSCRIPTION,
                {
                    **SUBSCRIPTION,
                    "id": "azure",
                    "billingCycle": "none",
                    "offerId": "DZH318Z0BPS6:0001",
                },
            ]
        )
    )
    router.get(f"/v1/customers/{TENANT}/qualifications").respond(
        json=[
            {"qualification": "Education", "vettingStatus": "Approved"},
            {"qualification": "GovernmentCommunityCloud", "vettingStatus": "InReview"},
            {"qualification": "None"},
        ]
    )
    router.get(f"/v1/customers/{TENANT}/agreements").respond(
        json=collection(
            [
                {
                    "templateId": "tpl-1",
                    "type": "MicrosoftCustomerAgreement",
                    "dateAgreed": "2025-01-02T00:00:00Z",
                    "userId": "u-1",
                    "primaryContact": {
                        "firstName": "Ana",
                        "lastName": "Lee",
                        "email": "ana@contoso.example",
                        "phoneNumber": "4255550100",
                    },
                }
            ]
        )
    )


def reseller_routes(router: respx.MockRouter) -> None:
    router.get("/v1/profiles/mpn").respond(json={"mpnId": "7654321"})
    router.get("/v1/compliance/csp/agreementstatus").respond(json={"isAgreementSigned": True})
    router.get("/v1/relationships").respond(json=collection([{"id": "r-1", "mpnId": "7654321"}]))


def test_existing_tenant_facts(client: PartnerCenterClient, router: respx.MockRouter) -> None:
    existing_tenant(router)
    reseller_routes(router)
    facts = gather_facts(client, make_order())
    (subscription,) = facts.subscriptions  # the usage-billed one carries no limits
    assert subscription.product_id == "CFQ7TTC0LH18"
    assert subscription.billing_cycle is BillingCycle.MONTHLY
    assert subscription.quantity == 5 and subscription.partner_id_on_record == "1234567"
    assert facts.approved(Qualification.EDUCATION)
    assert not facts.approved(Qualification.GOVERNMENT_COMMUNITY_CLOUD)
    assert facts.qualifications[1].vetting_status is VettingStatus.IN_REVIEW
    assert facts.mca.accepted and facts.mca.acceptance is not None
    assert facts.mca.acceptance.customer_reference == "cust-9"
    assert facts.mca.acceptance.contact.phone_number == "4255550100"
    assert facts.tenant.exists and facts.tenant.relationship is Relationship.RESELLER
    assert facts.tenant.relationship_request_url is None
    reseller = facts.resellers["7654321"]
    assert reseller.mpn_valid and reseller.mpa_signed and reseller.related


def test_tenant_without_relationship_gets_the_invitation_link(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    router.get(f"/v1/customers/{TENANT}").mock(return_value=pc_error(404, 1000))
    router.get(f"/v1/customers/{TENANT}/subscriptions").mock(return_value=pc_error(403, 2032))
    router.get(f"/v1/customers/{TENANT}/qualifications").mock(return_value=pc_error(404, 1000))
    router.get(f"/v1/customers/{TENANT}/agreements").mock(return_value=pc_error(404, 1000))
    router.get("/v1/customers/relationshiprequests").respond(
        json={"url": "https://admin.example/invite"}
    )
    facts = gather_facts(client, make_order(reseller=False))
    assert facts.tenant.exists and facts.tenant.relationship is Relationship.NONE
    assert facts.tenant.relationship_request_url == "https://admin.example/invite"
    assert facts.subscriptions == () and not facts.mca.accepted and facts.resellers == {}


def test_new_customer_checks_the_domain_and_unknown_reseller(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    router.head("/v1/domains/contoso.onmicrosoft.com").respond(404)
    router.get("/v1/profiles/mpn").mock(return_value=pc_error(404, 3000))
    router.get("/v1/compliance/csp/agreementstatus").mock(return_value=pc_error(400, 2203))
    router.get("/v1/relationships").respond(json=collection([]))
    facts = gather_facts(client, make_order(tenant_id=None))
    assert not facts.tenant.exists and facts.tenant.domain_available is True
    reseller = facts.resellers["7654321"]
    assert (reseller.mpn_valid, reseller.mpa_signed, reseller.related) == (False, False, False)


def test_server_failures_are_not_swallowed(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    router.head("/v1/domains/contoso.onmicrosoft.com").respond(500)
    from csp_commerce.errors import InternalServerError

    with pytest.raises(InternalServerError):
        gather_facts(client.with_options(max_retries=0), make_order(tenant_id=None, reseller=False))


def test_clouds_without_mca_skip_agreements(router: respx.MockRouter) -> None:
    china = "https://partner.partnercenterapi.microsoftonline.cn"
    with respx.mock(base_url=china, assert_all_called=False) as mock:
        existing_tenant(mock)
        agreements = mock.get(f"/v1/customers/{TENANT}/agreements")
        client = PartnerCenterClient(
            FakeCredential(), cloud=Cloud.CHINA, http_client=httpx.Client()
        )
        facts = gather_facts(client, make_order(reseller=False))
    assert agreements.call_count == 0 and not facts.mca.accepted


async def test_async_gathers_concurrently(router: respx.MockRouter) -> None:
    in_flight = 0
    peak = 0

    def slow(json: object):  # type: ignore[no-untyped-def]
        async def respond(request: httpx.Request) -> httpx.Response:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.05)
            in_flight -= 1
            return httpx.Response(200, json=json)

        return respond

    existing_tenant(router)
    reseller_routes(router)
    for route in list(router.routes):
        payload = route.return_value.json() if route.return_value is not None else None
        route.side_effect = slow(payload)
    async with AsyncPartnerCenterClient(
        FakeCredential(), http_client=httpx.AsyncClient()
    ) as client:
        started = time.perf_counter()
        facts = await gather_facts_async(client, make_order())
        elapsed = time.perf_counter() - started
    assert peak >= 5  # customer, subscriptions, qualifications, agreements, reseller checks
    assert elapsed < 7 * 0.05
    assert facts.mca.accepted and facts.resellers["7654321"].related
    assert BASE in str(router.calls.last.request.url)


# -- the reseller's facts, kept for a batch ----------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def reseller_reads(router: respx.MockRouter) -> int:
    paths = ("/v1/profiles/mpn", "/v1/compliance/csp/agreementstatus", "/v1/relationships")
    return sum(1 for call in router.calls if call.request.url.path in paths)


def new_reseller_order() -> Order:
    return make_order(tenant_id=None)


def test_the_second_order_of_a_reseller_reads_no_reseller_facts(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    router.head("/v1/domains/contoso.onmicrosoft.com").respond(404)
    reseller_routes(router)
    cache = FactsCache()

    first = gather_facts(client, new_reseller_order(), cache=cache)
    assert reseller_reads(router) == 3
    second = gather_facts(client, new_reseller_order(), cache=cache)

    assert reseller_reads(router) == 3  # MPN profile, MPA status and the list: from the cache
    assert len(router.calls) == 5  # only the second order's domain check was sent
    assert second.resellers == first.resellers
    assert second.resellers["7654321"].mpn_valid and second.resellers["7654321"].related


def test_the_reseller_facts_are_read_again_once_they_expire(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    router.head("/v1/domains/contoso.onmicrosoft.com").respond(404)
    reseller_routes(router)
    clock = Clock()
    cache = FactsCache(ttl=60, clock=clock)
    gather_facts(client, new_reseller_order(), cache=cache)
    clock.now += 59
    gather_facts(client, new_reseller_order(), cache=cache)
    assert reseller_reads(router) == 3

    clock.now += 1
    facts = gather_facts(client, new_reseller_order(), cache=cache)

    assert reseller_reads(router) == 6
    assert facts.resellers["7654321"].mpa_signed


def test_what_refuses_a_reseller_is_not_kept(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    router.head("/v1/domains/contoso.onmicrosoft.com").respond(404)
    router.get("/v1/profiles/mpn").mock(return_value=pc_error(404, 3000))
    router.get("/v1/compliance/csp/agreementstatus").respond(json={"isAgreementSigned": False})
    router.get("/v1/relationships").respond(json=collection([]))
    cache = FactsCache()
    refused = gather_facts(client, new_reseller_order(), cache=cache)
    reseller = refused.resellers["7654321"]
    assert (reseller.mpn_valid, reseller.mpa_signed, reseller.related) == (False, False, False)

    reseller_routes(router)  # the reseller is registered, signs and is related meanwhile
    facts = gather_facts(client, new_reseller_order(), cache=cache)

    assert reseller_reads(router) == 6
    reseller = facts.resellers["7654321"]
    assert reseller.mpn_valid and reseller.mpa_signed and reseller.related


def test_another_reseller_of_the_partner_reuses_the_list_of_resellers(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    router.head("/v1/domains/contoso.onmicrosoft.com").respond(404)
    router.get("/v1/profiles/mpn").respond(json={"mpnId": "7654321"})
    router.get("/v1/compliance/csp/agreementstatus").respond(json={"isAgreementSigned": True})
    relationships = router.get("/v1/relationships").respond(
        json=collection([{"id": "r-1", "mpnId": "7654321"}, {"id": "r-2", "mpnId": "1111111"}])
    )
    cache = FactsCache()
    gather_facts(client, new_reseller_order(), cache=cache)
    other = new_reseller_order().model_copy(
        update={"reseller": Reseller(partner_id="1111111", name="Tailspin")}
    )

    facts = gather_facts(client, other, cache=cache)

    assert relationships.call_count == 1  # the partner's list, once
    assert reseller_reads(router) == 5  # the other reseller's own MPN profile and MPA status
    assert facts.resellers["1111111"].related


async def test_the_async_gatherer_shares_the_cache(router: respx.MockRouter) -> None:
    router.head("/v1/domains/contoso.onmicrosoft.com").respond(404)
    reseller_routes(router)
    cache = FactsCache()
    async with AsyncPartnerCenterClient(
        FakeCredential(), http_client=httpx.AsyncClient()
    ) as client:
        await gather_facts_async(client, new_reseller_order(), cache=cache)
        facts = await gather_facts_async(client, new_reseller_order(), cache=cache)
    assert reseller_reads(router) == 3
    assert facts.resellers["7654321"].related


def test_facts_of_one_partner_are_not_another_partners(router: respx.MockRouter) -> None:
    router.head("/v1/domains/contoso.onmicrosoft.com").respond(404)
    reseller_routes(router)
    cache = FactsCache()

    class OtherPartner(FakeCredential):
        tenant_id = "another-partner"

    for credential in (FakeCredential(), OtherPartner()):
        client = PartnerCenterClient(credential, http_client=httpx.Client())
        gather_facts(client, new_reseller_order(), cache=cache)

    assert reseller_reads(router) == 6
