"""Events drive discovery: a changed subscription or a ready invoice is re-read alone (targeted)
and handed through the discovery hooks, once, sharing fingerprints with the full runs."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx

from csp_commerce.events import WebhookReceiver, WebhookTrust
from csp_commerce.hooks.manager import HookManager
from csp_commerce.models.events import EVENT_FAMILIES, WebhookEvent
from csp_commerce.operations import Discovery, EventHandlers, TargetedDiscovery
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import FaultPlan, Sandbox, SandboxCredential
from csp_commerce.store import DiscoveryStore
from discovery.conftest import Recorder, make_discovery

PC = "https://api.partnercenter.microsoft.com"


def event(name: str, uri: str) -> WebhookEvent:
    return WebhookEvent(
        id=f"{name}:{uri}",
        name=name,
        family=EVENT_FAMILIES[name],
        resource_uri=PC + uri,
        changed_at=datetime.now(timezone.utc),
        payload={},
    )


def change_one_subscription(sandbox: Sandbox) -> tuple[str, str]:
    """Add a seat to one subscription through the API; its customer and subscription ids."""
    customer = next(c for c in sandbox.world.customers.values() if c.subscriptions)
    subscription = next(iter(customer.subscriptions.values()))
    client = PartnerCenterClient(SandboxCredential(), http_client=sandbox.httpx_client())
    client.subscriptions.change_quantity(
        customer.id, subscription["id"], subscription["quantity"] + 1
    )
    return customer.id, subscription["id"]


def test_a_changed_subscription_is_handed_with_two_requests_and_only_once(
    discovery: Discovery, sandbox: Sandbox, recorder: Recorder, store: DiscoveryStore
) -> None:
    discovery.run()
    recorder.clear()
    customer, subscription = change_one_subscription(sandbox)
    targeted = TargetedDiscovery(discovery)

    synced = targeted.customer(customer, subscription)

    assert (synced.customers_handed, synced.subscriptions_handed, synced.requests) == (0, 1, 2)
    (handed,) = recorder.subscriptions
    assert (handed.customer_id, handed.id) == (customer, subscription)
    assert (
        handed.quantity == sandbox.world.customers[customer].subscriptions[subscription]["quantity"]
    )
    assert targeted.customer(customer, subscription).subscriptions_handed == 0
    recorder.clear()
    discovery.run()  # the next full run knows it was handed
    assert recorder.subscriptions == []


def test_a_customer_first_seen_by_an_event_is_listed_in_full_by_the_next_run(
    discovery: Discovery, sandbox: Sandbox, recorder: Recorder
) -> None:
    customer, subscription = change_one_subscription(sandbox)

    synced = TargetedDiscovery(discovery).customer(customer, subscription)

    assert (synced.customers_handed, synced.subscriptions_handed) == (1, 1)
    recorder.clear()
    run = discovery.run()
    others = {s.id for s in recorder.subscriptions if s.customer_id == customer}
    assert others == set(sandbox.world.customers[customer].subscriptions) - {subscription}
    assert run.counts.subscriptions_fetched_for == 12


def test_a_vanished_customer_or_subscription_is_reported_missing(discovery: Discovery) -> None:
    targeted = TargetedDiscovery(discovery)
    assert targeted.customer("no-such-tenant", "s").missing == ("no-such-tenant",)


def test_the_subscription_handler_runs_the_targeted_read(
    discovery: Discovery, sandbox: Sandbox, recorder: Recorder
) -> None:
    discovery.run()
    recorder.clear()
    customer, subscription = change_one_subscription(sandbox)
    handlers = EventHandlers(discovery=discovery)

    handlers.csp_subscription_event(
        event("subscription-updated", f"/v1/customers/{customer}/subscriptions/{subscription}")
    )

    assert [s.id for s in recorder.subscriptions] == [subscription]
    # An event the handler does not act on, and one without a customer, read nothing.
    handlers.csp_subscription_event(event("subscription-updated", "/v1/orders/x"))
    assert len(recorder.subscriptions) == 1


def test_the_invoice_handler_exports_the_ready_invoice(
    discovery: Discovery, sandbox: Sandbox, recorder: Recorder
) -> None:
    today = datetime.now(timezone.utc)
    invoice = sandbox.generate_invoice(today.year, today.month)
    handlers = EventHandlers(discovery=discovery)

    handlers.csp_invoice_event(event("invoice-ready", f"/v1/invoices/{invoice['id']}"))
    handlers.csp_invoice_event(event("invoice-ready", f"/v1/invoices/{invoice['id']}"))

    (handed,) = recorder.invoices
    assert handed.id == invoice["id"]
    assert handed.line_source == "reconciliation v2"
    assert len(handed.line_items) == 36
    recorder.clear()
    discovery.run()
    assert recorder.invoices == []  # the full run does not hand it again


def test_an_approved_gdap_relationship_gets_the_template_assignments() -> None:
    applied: list[str] = []
    handlers = EventHandlers(gdap_assignments=applied.append)
    path = "/tenantRelationships/delegatedAdminRelationships"

    handlers.csp_gdap_event(event("granular-admin-relationship-approved", f"{path}/rel-1"))
    handlers.csp_gdap_event(event("granular-admin-relationship-activated", f"{path}/rel-2"))
    handlers.csp_gdap_event(event("granular-admin-relationship-terminated", f"{path}/rel-3"))
    handlers.csp_gdap_event(
        event("granular-admin-access-assignment-created", f"{path}/rel-4/accessAssignments/a")
    )

    assert applied == ["rel-1", "rel-2"]


def test_a_reaction_that_fails_is_handled_on_partner_centers_next_attempt(
    sandbox: Sandbox, store: DiscoveryStore, recorder: Recorder
) -> None:
    discovery = make_discovery(sandbox, store, recorder, max_retries=0)
    url, certificate = sandbox.webhook_certificate_url, sandbox.webhook_certificate_pem()
    receiver = WebhookReceiver(
        HookManager(entry_points=False, plugins=[EventHandlers(discovery=discovery)]),
        trust=WebhookTrust.sandbox(sandbox.webhook_root_pem(), url),
        fetch=lambda asked: certificate if asked == url else b"",
    )

    def answer(request: httpx.Request) -> httpx.Response:
        result = receiver.handle(request.content, request.headers)
        return httpx.Response(result.status, content=result.content)

    client = PartnerCenterClient(SandboxCredential(), http_client=sandbox.httpx_client())
    client.webhooks.register("https://shop.example/events", ["invoice-ready"])
    today = datetime.now(timezone.utc)
    sandbox.generate_invoice(today.year, today.month)
    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        sandbox.set_faults(FaultPlan(server_error_rate=1.0))
        (failed,) = sandbox.deliver_webhooks(http)
        sandbox.set_faults(FaultPlan())
        (handled,) = sandbox.deliver_webhooks(http)

    assert (failed.status, handled.status) == (500, 200)
    assert [invoice.id for invoice in recorder.invoices] == ["G000000001"]
