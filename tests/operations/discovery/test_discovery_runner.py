"""Discovery runs: what reaches the host, incrementality, states, stop and resume."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import httpx
import pytest

from csp_commerce.errors import AuthenticationError, InternalServerError
from csp_commerce.models.discovery import DiscoveryState
from csp_commerce.operations import Discovery
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import FaultPlan, Sandbox, SandboxCredential
from csp_commerce.sandbox.seed_discovery import seed_sandbox
from csp_commerce.store import DiscoveryStore
from discovery.conftest import Recorder, make_discovery


def _bill(sandbox: Sandbox, months_ahead: int = 0) -> None:
    """An invoice for this month (or a later one): subscriptions are bought today."""
    today = datetime.now(timezone.utc)
    month = today.month - 1 + months_ahead
    sandbox.generate_invoice(today.year + month // 12, month % 12 + 1)


def _sync_client(sandbox: Sandbox) -> PartnerCenterClient:
    return PartnerCenterClient(SandboxCredential(), http_client=sandbox.httpx_client())


def test_first_run_hands_every_record_once(
    discovery: Discovery, recorder: Recorder, sandbox: Sandbox
) -> None:
    _bill(sandbox)
    run = discovery.run()
    assert run.state is DiscoveryState.COMPLETED
    assert len(recorder.customers) == 12
    assert len(recorder.subscriptions) == 36
    assert len({s.id for s in recorder.subscriptions}) == 36
    assert [invoice.id for invoice in recorder.invoices] == ["G000000001"]
    assert len(recorder.invoices[0].line_items) == 36
    assert run.counts.customers_handed == 12 and run.counts.subscriptions_handed == 36
    first = recorder.subscriptions[0]
    assert first.partner == "contoso" and first.data["id"] == first.id and first.etag


def test_rerun_with_nothing_changed_hands_nothing_and_lists_no_subscriptions(
    discovery: Discovery, recorder: Recorder, sandbox: Sandbox
) -> None:
    _bill(sandbox)
    discovery.run()
    recorder.clear()
    run = discovery.run()
    assert (recorder.customers, recorder.subscriptions, recorder.invoices) == ([], [], [])
    assert run.counts.subscriptions_fetched_for == 0
    assert run.activity_since is not None
    # customers (one page), the activity log, invoices (one page): no subscription listing
    assert run.counts.requests == 3


def test_a_changed_subscription_is_handed_again_and_only_it(
    discovery: Discovery, recorder: Recorder, sandbox: Sandbox
) -> None:
    discovery.run()
    target = recorder.subscriptions[4]
    recorder.clear()
    with _sync_client(sandbox) as client:
        client.subscriptions.change_quantity(target.customer_id, target.id, target.quantity + 3)
    run = discovery.run()
    assert [s.id for s in recorder.subscriptions] == [target.id]
    assert recorder.subscriptions[0].quantity == target.quantity + 3
    assert recorder.customers == []
    assert run.counts.subscriptions_fetched_for == 1  # only the customer the log names


def test_a_new_customer_and_its_subscriptions_are_handed(
    discovery: Discovery, recorder: Recorder, sandbox: Sandbox
) -> None:
    discovery.run()
    recorder.clear()
    (new_id,) = seed_sandbox(sandbox, 1, 2, prefix="late")
    discovery.run()
    assert [c.id for c in recorder.customers] == [new_id]
    assert {s.customer_id for s in recorder.subscriptions} == {new_id}
    assert len(recorder.subscriptions) == 2


def test_a_new_invoice_is_handed_with_its_lines_and_old_ones_are_not(
    discovery: Discovery, recorder: Recorder, sandbox: Sandbox
) -> None:
    _bill(sandbox)
    discovery.run()
    recorder.clear()
    _bill(sandbox, 1)
    discovery.run()
    assert [invoice.id for invoice in recorder.invoices] == ["G000000002"]
    assert recorder.invoices[0].line_items[0].subscription_id


def test_stop_then_resume_completes_without_duplicates(
    sandbox: Sandbox, store: DiscoveryStore, recorder: Recorder
) -> None:
    discovery = make_discovery(sandbox, store, recorder, max_concurrency=1)

    def stop_after_five(progress: object) -> None:
        if len(recorder.customers) >= 5:
            discovery.stop()

    discovery.progress = stop_after_five
    stopped = discovery.run()
    assert stopped.state is DiscoveryState.STOPPED
    assert 5 <= len(recorder.customers) < 12
    discovery.progress = None
    resumed = discovery.run()
    assert resumed.id == stopped.id  # the same run, continued
    assert resumed.state is DiscoveryState.COMPLETED
    customers = Counter(c.id for c in recorder.customers)
    subscriptions = Counter(s.id for s in recorder.subscriptions)
    assert len(customers) == 12 and set(customers.values()) == {1}
    assert len(subscriptions) == 36 and set(subscriptions.values()) == {1}


def test_states_are_recorded(
    discovery: Discovery, store: DiscoveryStore, recorder: Recorder
) -> None:
    assert store.state("contoso") is DiscoveryState.NOT_STARTED
    seen: list[DiscoveryState] = []
    discovery.progress = lambda _: seen.append(store.state("contoso"))
    run = discovery.run()
    assert set(seen) == {DiscoveryState.IN_PROGRESS}
    assert store.state("contoso") is DiscoveryState.COMPLETED
    assert run.finished_at is not None and run.started_at <= run.finished_at


def test_an_error_is_recorded_and_the_next_run_resumes(
    sandbox: Sandbox, store: DiscoveryStore, recorder: Recorder
) -> None:
    failing = make_discovery(sandbox, store, recorder, max_retries=0)
    sandbox.set_faults(FaultPlan(server_error_rate=1.0))
    with pytest.raises(InternalServerError):
        failing.run()
    latest = store.latest_run("contoso")
    assert latest is not None and latest.state is DiscoveryState.ERROR and latest.error
    sandbox.set_faults(FaultPlan())
    resumed = failing.run()
    assert resumed.id == latest.id and resumed.state is DiscoveryState.COMPLETED
    assert len(recorder.customers) == 12


def test_restart_starts_a_full_run(
    discovery: Discovery, recorder: Recorder, store: DiscoveryStore
) -> None:
    discovery.run()
    recorder.clear()
    run = discovery.run(restart=True)
    assert run.activity_since is None
    assert run.counts.subscriptions_fetched_for == 12
    assert recorder.subscriptions == []  # listed again, but nothing changed


def test_throttling_is_honoured_by_the_client(
    sandbox: Sandbox, store: DiscoveryStore, recorder: Recorder
) -> None:
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    sandbox.set_faults(FaultPlan(throttle_rate=0.2, seed=3))
    run = make_discovery(sandbox, store, recorder, sleep=no_wait, max_retries=10).run()
    assert run.state is DiscoveryState.COMPLETED
    assert waits and len(recorder.customers) == 12


def test_customers_are_streamed_through_a_bounded_queue(
    sandbox: Sandbox, store: DiscoveryStore, recorder: Recorder
) -> None:
    seed_sandbox(sandbox, 30, 0, prefix="many")
    in_flight: list[int] = []
    discovery = make_discovery(sandbox, store, recorder, max_concurrency=2, customer_page_size=5)
    discovery.progress = lambda p: in_flight.append(p.customers_done)
    run = discovery.run()
    assert run.counts.customers_seen == 42
    assert in_flight == sorted(in_flight)


def test_a_record_without_hooks_still_fingerprints(sandbox: Sandbox, store: DiscoveryStore) -> None:
    from csp_commerce.hooks.manager import HookManager

    hooks = HookManager(builtins=False, entry_points=False)
    discovery = Discovery(
        "contoso",
        SandboxCredential(),
        store,
        hooks,
        transport=sandbox.transport(),
        requests_per_minute=60_000,
    )
    discovery.run()
    assert len(store.known_ids("contoso", "subscription")) == 36


def test_http_transport_errors_surface(store: DiscoveryStore, recorder: Recorder) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"code": 800001, "description": "no"})

    from csp_commerce.hooks.manager import HookManager

    discovery = Discovery(
        "contoso",
        SandboxCredential(),
        store,
        HookManager(builtins=False, entry_points=False, plugins=[recorder]),
        transport=httpx.MockTransport(refuse),
        requests_per_minute=60_000,
    )
    with pytest.raises(AuthenticationError):
        discovery.run()
    assert store.state("contoso") is DiscoveryState.ERROR


def test_invoice_lines_come_from_v2_and_an_unreadable_line_keeps_the_invoice_back(
    discovery: Discovery, recorder: Recorder, sandbox: Sandbox
) -> None:
    from csp_commerce.errors import ReconciliationExportError
    from csp_commerce.operations.invoice_lines import V2

    _bill(sandbox)
    sandbox.exports.settings.bad_line = (0, 0)
    with pytest.raises(ReconciliationExportError, match="unreadable"):
        discovery.run()
    assert recorder.invoices == []  # never handed incomplete
    sandbox.exports.settings.bad_line = None
    assert discovery.run().state is DiscoveryState.COMPLETED
    (invoice,) = recorder.invoices
    assert invoice.line_source == V2 and invoice.line_items
    number = invoice.id
    assert len(invoice.line_items) == len(sandbox.world.invoice_lines[number])


def test_a_legacy_invoice_is_read_from_v1(
    discovery: Discovery, recorder: Recorder, sandbox: Sandbox
) -> None:
    from csp_commerce.operations.invoice_lines import V1_LEGACY

    sandbox.generate_invoice(2023, 12)
    discovery.run()
    (invoice,) = recorder.invoices
    assert invoice.line_source == V1_LEGACY
