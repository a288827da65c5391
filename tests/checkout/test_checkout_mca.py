"""No order without the customer's MCA acceptance on record."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from checkout_factories import acceptance, checkout, codes, facts, order

from csp_commerce import (
    AcceptanceSource,
    Checkout,
    CheckoutSettings,
    Cloud,
    Contact,
    HookManager,
    McaAcceptance,
    McaFacts,
    Problem,
    hookimpl,
)
from csp_commerce.errors import ConfigurationError, PluginError
from csp_commerce.store.mca_log import McaEvidenceLog


def test_an_order_without_acceptance_is_refused() -> None:
    result = checkout().validate(order(), facts(mca=McaFacts()))
    assert codes(result) == ["mca.not_accepted"]
    assert result.problems[0].field == "customer"


def test_the_acceptance_must_be_the_customer_s() -> None:
    other = McaFacts(accepted=True, acceptance=acceptance(customer_reference="cust-2"))
    assert codes(checkout().validate(order(), facts(mca=other))) == ["mca.other_customer"]


@pytest.mark.parametrize(
    "settings",
    [{"require_mca": False}, {"cloud": Cloud.CHINA}, {"cloud": Cloud.US_GOV}],
)
def test_not_required_by_the_host_or_the_cloud(settings: dict[str, object]) -> None:
    from checkout_factories import line

    from csp_commerce import BillingCycle
    from csp_commerce.validation.tenancy import DOMAIN_SUFFIXES

    cloud = settings.get("cloud", Cloud.GLOBAL)
    assert isinstance(cloud, Cloud)
    domain = "contoso" + DOMAIN_SUFFIXES[cloud]  # a new tenant's domain in that cloud
    annual = order(line(billing_cycle=BillingCycle.ANNUAL), domain=domain)
    assert checkout(**settings).validate(annual, facts(mca=McaFacts())).ok


def test_recording_writes_the_evidence_log_and_feeds_the_facts(tmp_path: Path) -> None:
    log = McaEvidenceLog(tmp_path / "mca.sqlite3")
    shop = Checkout(HookManager(entry_points=False), CheckoutSettings(), mca_log=log)
    assert "csp_commerce.mca_log" in shop.hooks.plugin_names()
    assert shop.mca_facts("cust-1") == McaFacts()

    by_reseller = acceptance(source=AcceptanceSource.RESELLER, reseller_partner_id="1234567")
    assert shop.record_mca_acceptance(by_reseller) == []
    entry = log.latest("cust-1")
    assert entry is not None and entry.acceptance == by_reseller

    known = shop.mca_facts("cust-1")
    assert known.accepted and known.acceptance == by_reseller
    assert shop.validate(order(), facts(mca=known)).ok
    log.close()


def test_incomplete_evidence_is_not_recorded(tmp_path: Path) -> None:
    log = McaEvidenceLog(tmp_path / "mca.sqlite3")
    shop = Checkout(HookManager(entry_points=False), mca_log=log)
    no_phone = Contact(first_name="Ada", last_name="Lovelace", email="ada@contoso.com")
    future = datetime.now(timezone.utc) + timedelta(days=2)
    problems = shop.record_mca_acceptance(
        acceptance(contact=no_phone, source=AcceptanceSource.RESELLER, accepted_at=future)
    )
    assert [p.code for p in problems] == [
        "mca.phone_missing",
        "mca.reseller_missing",
        "mca.accepted_in_future",
    ]
    assert log.entries() == []
    log.close()


def test_recording_without_a_recorder_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        checkout().record_mca_acceptance(acceptance())
    with pytest.raises(ConfigurationError):
        checkout().mca_facts("cust-1")


def test_two_checkouts_on_one_hook_manager_each_with_a_log(tmp_path: Path) -> None:
    from csp_commerce import Checkout, HookManager
    from csp_commerce.store.mca_log import McaEvidenceLog

    hooks = HookManager(entry_points=False)
    Checkout(hooks=hooks, mca_log=McaEvidenceLog(tmp_path / "a.sqlite3"))
    newest = McaEvidenceLog(tmp_path / "b.sqlite3")
    checkout = Checkout(hooks=hooks, mca_log=newest)
    assert checkout.record_mca_acceptance(acceptance()) == []
    assert len(newest.entries()) == 1


class OurResellersConfirmLater:
    """A host's own acceptance check: a reseller's confirmation needs no partner id yet, and only
    the host's own staff may confirm for a customer; anything else goes to the built-in."""

    @hookimpl
    def csp_check_mca_acceptance(self, acceptance: McaAcceptance) -> list[Problem] | None:
        if acceptance.source is AcceptanceSource.RESELLER:
            return []
        if not acceptance.confirmed_by.endswith("@contoso.com"):
            return [Problem(code="host.unknown_confirmer", message="Who confirmed this?")]
        return None


def test_a_host_plugin_overrides_the_mca_acceptance_check(tmp_path: Path) -> None:
    by_reseller = acceptance(source=AcceptanceSource.RESELLER)  # no reseller_partner_id
    by_stranger = acceptance(confirmed_by="someone@example.com")
    no_phone = acceptance(
        contact=Contact(first_name="Ada", last_name="Lovelace", email="ada@contoso.com")
    )
    with McaEvidenceLog(tmp_path / "mca.sqlite3") as log:
        built_in = Checkout(HookManager(entry_points=False), mca_log=log)
        assert [p.code for p in built_in.record_mca_acceptance(by_reseller)] == [
            "mca.reseller_missing"
        ]
        assert built_in.record_mca_acceptance(by_stranger) == []
        assert len(log.entries()) == 1

    with McaEvidenceLog(tmp_path / "host.sqlite3") as log:
        hooks = HookManager(entry_points=False, plugins=[OurResellersConfirmLater()])
        shop = Checkout(hooks, mca_log=log)
        assert shop.record_mca_acceptance(by_reseller) == []
        assert [p.code for p in shop.record_mca_acceptance(by_stranger)] == [
            "host.unknown_confirmer"
        ]
        # None passes the acceptance to the built-in
        assert [p.code for p in shop.record_mca_acceptance(no_phone)] == ["mca.phone_missing"]
        assert [entry.acceptance for entry in log.entries()] == [by_reseller]


def test_without_the_built_in_nothing_answers_the_mca_acceptance_check(tmp_path: Path) -> None:
    blocked = HookManager(entry_points=False, block=["csp_commerce.hooks.builtin.mca_hooks"])
    with McaEvidenceLog(tmp_path / "mca.sqlite3") as log:
        shop = Checkout(blocked, mca_log=log)
        with pytest.raises(PluginError, match="no plugin answered csp_check_mca_acceptance"):
            shop.record_mca_acceptance(acceptance())
        assert log.entries() == []
