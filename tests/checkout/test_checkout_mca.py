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
    McaFacts,
)
from csp_commerce.errors import ConfigurationError
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

    annual = order(line(billing_cycle=BillingCycle.ANNUAL))
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
