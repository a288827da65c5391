"""The discovery store: partner accounts, runs, per-run progress and fingerprints."""

from __future__ import annotations

from collections.abc import Callable

from csp_commerce.models.discovery import DiscoveryCounts, DiscoveryState
from csp_commerce.store.discovery_store import (
    CUSTOMER,
    SUBSCRIPTION,
    DiscoveryStore,
    PartnerAccount,
    utcnow,
)


def _account(name: str = "contoso") -> PartnerAccount:
    return PartnerAccount(
        name, "4f6a1b2c-0d3e-4a5b-8c7d-9e0f1a2b3c4d", "c1", "global", "/vault/rt", utcnow()
    )


def test_accounts_are_kept_and_listed(store_url: Callable[[str], str]) -> None:
    with DiscoveryStore(store_url("d")) as store:
        store.add_partner(_account("b"))
        store.add_partner(_account("a"))
    with DiscoveryStore(store_url("d")) as store:
        assert [account.name for account in store.partners()] == ["a", "b"]
        assert store.partner("a") == _account("a").__class__(
            **{**_account("a").__dict__, "created_at": store.partner("a").created_at}
        )  # type: ignore[union-attr]
        assert store.remove_partner("a") and not store.remove_partner("a")


def test_runs_states_and_progress(store_url: Callable[[str], str]) -> None:
    with DiscoveryStore(store_url("d")) as store:
        assert store.state("p") is DiscoveryState.NOT_STARTED
        run = store.start_run("p", None)
        assert store.state("p") is DiscoveryState.IN_PROGRESS and run.finished_at is None
        store.mark_done(run.id, "c1")
        store.mark_done(run.id, "c1")
        assert store.done_customers(run.id) == {"c1"}
        store.update_run(run.id, DiscoveryState.STOPPED, DiscoveryCounts(customers_seen=1))
        stopped = store.run(run.id)
        assert stopped is not None and stopped.state is DiscoveryState.STOPPED
        assert stopped.finished_at is not None and stopped.counts.customers_seen == 1
        assert store.last_completed("p") is None
        store.update_run(run.id, DiscoveryState.COMPLETED, DiscoveryCounts())
        assert store.last_completed("p") is not None


def test_fingerprints_by_record_and_parent(store_url: Callable[[str], str]) -> None:
    with DiscoveryStore(store_url("d")) as store:
        store.remember("p", CUSTOMER, [("c1", None, "h1")], complete=False)
        assert store.fingerprint("p", CUSTOMER, "c1") == ("h1", False)
        store.set_complete("p", CUSTOMER, "c1")
        assert store.fingerprint("p", CUSTOMER, "c1") == ("h1", True)
        store.remember("p", SUBSCRIPTION, [("s1", "c1", "x"), ("s2", "c1", "y")])
        assert store.fingerprints("p", SUBSCRIPTION, "c1") == {"s1": "x", "s2": "y"}
        assert store.fingerprint("other", CUSTOMER, "c1") is None
