"""A new tenant, an existing one, or the invitation to send first."""

from __future__ import annotations

from checkout_factories import GOOD_RESELLER, RESELLER, checkout, codes, facts, line, order

from csp_commerce import (
    BillingCycle,
    Relationship,
    Reseller,
    ResellerFacts,
    TenantAction,
    TenantFacts,
)
from csp_commerce.models.clouds import Cloud
from csp_commerce.validation.tenancy import DOMAIN_PREFIX_MAX_LENGTH, invitation_url


def test_a_new_customer_gets_a_new_tenant_with_its_domain() -> None:
    result = checkout().validate(order(domain="contoso.onmicrosoft.com"), facts())
    assert result.plan is not None
    assert result.plan.tenant.action is TenantAction.CREATE
    assert result.plan.tenant.domain == "contoso.onmicrosoft.com"


def test_the_domain_must_be_given_valid_and_free() -> None:
    assert codes(checkout().validate(order(domain=None), facts())) == ["tenant.domain_missing"]
    assert codes(checkout().validate(order(domain="con-toso!"), facts())) == [
        "tenant.domain_invalid"
    ]
    (invalid,) = checkout().validate(order(domain="contoso"), facts()).problems
    assert invalid.code == "tenant.domain_invalid"
    assert invalid.params == {
        "domain": "contoso",
        "suffix": ".onmicrosoft.com",
        "max_length": DOMAIN_PREFIX_MAX_LENGTH,
    }
    taken = facts(tenant=TenantFacts(domain_available=False))
    assert codes(checkout().validate(order(), taken)) == ["tenant.domain_taken"]
    unknown = facts(tenant=TenantFacts())
    assert codes(checkout().validate(order(), unknown)) == ["tenant.domain_unchecked"]


def test_the_domain_format_follows_the_cloud() -> None:
    """At most 27 letters and digits, then the cloud's suffix (the sandbox's rule too: the
    contract tests in tests/contracts compare them case by case)."""
    assert DOMAIN_PREFIX_MAX_LENGTH == 27
    longest = "a" * 27
    for domain, valid in [
        (f"{longest}.onmicrosoft.com", True),
        (f"{longest}a.onmicrosoft.com", False),
        ("Contoso2.onmicrosoft.com", True),
        ("contoso.partner.onmschina.cn", False),
        ("contoso", False),
    ]:
        result = checkout().validate(order(domain=domain), facts())
        assert result.ok is valid, (domain, codes(result))
    china = checkout(cloud=Cloud.CHINA)  # 21Vianet: annual billing only
    annual = line(billing_cycle=BillingCycle.ANNUAL)
    assert china.validate(order(annual, domain="contoso.partner.onmschina.cn"), facts()).ok
    assert codes(china.validate(order(annual, domain="contoso.onmicrosoft.com"), facts())) == [
        "tenant.domain_invalid"
    ]


def test_an_existing_tenant_with_the_relationship_is_used() -> None:
    linked = facts(
        tenant=TenantFacts(exists=True, tenant_id="t-1", relationship=Relationship.RESELLER)
    )
    result = checkout().validate(order(domain=None), linked)
    assert result.plan is not None
    assert result.plan.tenant.action is TenantAction.USE_EXISTING
    assert result.plan.tenant.tenant_id == "t-1"


def test_an_existing_tenant_without_relationship_needs_the_invitation() -> None:
    unlinked = facts(tenant=TenantFacts(exists=True, tenant_id="t-1"))
    result = checkout(partner_id="partner-tenant").validate(order(domain=None), unlinked)
    assert codes(result) == ["tenant.needs_invitation"]
    url = result.problems[0].params["url"]
    assert url == invitation_url("partner-tenant")
    assert url == (
        "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship"
        "&partnerId=partner-tenant&msppId=0&DAP=false#/BillingAccounts/partner-invitation"
    )
    assert url in result.problems[0].message


def test_the_gathered_link_wins_and_a_missing_link_is_said() -> None:
    gathered = facts(
        tenant=TenantFacts(exists=True, tenant_id="t-1", relationship_request_url="https://x/y")
    )
    result = checkout(partner_id="p").validate(order(domain=None), gathered)
    assert result.problems[0].params["url"] == "https://x/y"
    no_link = facts(tenant=TenantFacts(exists=True, tenant_id="t-1"))
    assert codes(checkout().validate(order(domain=None), no_link)) == [
        "tenant.invitation_link_unavailable"
    ]


def test_a_known_tenant_id_on_the_customer_means_an_existing_tenant() -> None:
    result = checkout(partner_id="p").validate(order(tenant_id="t-9"), facts())
    assert codes(result) == ["tenant.needs_invitation"]


def test_two_resellers_may_order_for_the_same_tenant() -> None:
    linked = TenantFacts(exists=True, tenant_id="t-1", relationship=Relationship.RESELLER)
    other = Reseller(partner_id="7654321", name="Northwind")
    both = {
        "1234567": GOOD_RESELLER,
        "7654321": ResellerFacts(partner_id="7654321", mpn_valid=True, mpa_signed=True),
    }
    plans = []
    for reseller in (RESELLER, other):
        result = checkout().validate(
            order(domain=None, tenant_id="t-1", reseller=reseller),
            facts(tenant=linked, resellers=both),
        )
        assert result.plan is not None, result.problems
        assert result.plan.tenant.tenant_id == "t-1"
        plans.append(result.plan.lines[0].partner_id_on_record)
    assert plans == ["1234567", "7654321"]
