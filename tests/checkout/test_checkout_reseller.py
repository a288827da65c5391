"""Indirect orders need the reseller's MPN id, relationship and signed MPA."""

from __future__ import annotations

from checkout_factories import GOOD_RESELLER, RESELLER, checkout, codes, facts, order

from csp_commerce import Cloud, Reseller, ResellerFacts


def test_a_good_reseller_passes() -> None:
    assert (
        checkout()
        .validate(order(reseller=RESELLER), facts(resellers={"1234567": GOOD_RESELLER}))
        .ok
    )


def test_facts_not_gathered() -> None:
    result = checkout().validate(order(reseller=RESELLER), facts())
    assert codes(result) == ["reseller.facts_missing"]
    assert "not gathered" in result.problems[0].message


def test_partner_id_must_be_numeric() -> None:
    named = Reseller(partner_id="fabrikam", name="Fabrikam IT")
    assert codes(checkout().validate(order(reseller=named), facts())) == [
        "reseller.partner_id_invalid"
    ]


def test_every_failing_fact_is_reported() -> None:
    bad = ResellerFacts(partner_id="1234567", mpn_valid=False, mpa_signed=False, related=False)
    result = checkout().validate(order(reseller=RESELLER), facts(resellers={"1234567": bad}))
    assert codes(result) == [
        "reseller.not_related",
        "reseller.mpn_invalid",
        "reseller.mpa_not_signed",
    ]


def test_unsigned_mpa() -> None:
    unsigned = GOOD_RESELLER.model_copy(update={"mpa_signed": False})
    result = checkout().validate(order(reseller=RESELLER), facts(resellers={"1234567": unsigned}))
    assert codes(result) == ["reseller.mpa_not_signed"]
    # Partner Center verifies MPA in the public cloud only.
    from checkout_factories import line

    from csp_commerce import BillingCycle

    china = checkout(cloud=Cloud.CHINA).validate(
        order(
            line(billing_cycle=BillingCycle.ANNUAL),
            reseller=RESELLER,
            domain="contoso.partner.onmschina.cn",
        ),
        facts(resellers={"1234567": unsigned}),
    )
    assert china.ok


def test_direct_orders_have_no_reseller_to_check() -> None:
    assert checkout().validate(order(), facts()).ok
