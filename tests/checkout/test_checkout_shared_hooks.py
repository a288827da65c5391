"""Checkouts never change the HookManager they are given: two checkouts sharing one manager,
each with its own MCA evidence log, each record into their own."""

from __future__ import annotations

from pathlib import Path

from checkout_factories import acceptance

from csp_commerce import Checkout, HookManager
from csp_commerce.checkout import MCA_LOG_PLUGIN
from csp_commerce.store.mca_log import McaEvidenceLog


def test_two_checkouts_on_one_manager_write_their_own_evidence_logs(tmp_path: Path) -> None:
    shared = HookManager(entry_points=False)
    before = shared.plugin_names()
    with (
        McaEvidenceLog(tmp_path / "a.sqlite3") as log_a,
        McaEvidenceLog(tmp_path / "b.sqlite3") as log_b,
    ):
        shop_a = Checkout(shared, mca_log=log_a)
        shop_b = Checkout(shared, mca_log=log_b)

        assert shop_a.record_mca_acceptance(acceptance(customer_reference="cust-a")) == []
        assert shop_b.record_mca_acceptance(acceptance(customer_reference="cust-b")) == []
        assert shop_a.record_mca_acceptance(acceptance(customer_reference="cust-a2")) == []

        assert [e.acceptance.customer_reference for e in log_a.entries()] == ["cust-a", "cust-a2"]
        assert [e.acceptance.customer_reference for e in log_b.entries()] == ["cust-b"]
    assert shared.plugin_names() == before
    assert MCA_LOG_PLUGIN not in shared.plugin_names()
    assert MCA_LOG_PLUGIN in shop_a.hooks.plugin_names()
    assert shop_a.hooks is not shared and shop_b.hooks is not shop_a.hooks


def test_a_checkout_adding_nothing_uses_the_manager_as_given() -> None:
    shared = HookManager(entry_points=False)
    assert Checkout(shared).hooks is shared
