"""The sandbox's webhooks: the registration as Partner Center keeps it, the test event and its
limit, and signed delivery to a receiver that trusts the sandbox's root only when told to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from csp_commerce import hookimpl
from csp_commerce.events import WebhookReceiver, WebhookTrust
from csp_commerce.hooks.manager import HookManager
from csp_commerce.models.events import WebhookEvent
from csp_commerce.sandbox import Sandbox
from csp_commerce.sandbox.webhook_routes import MAX_ATTEMPTS
from tests.sandbox.conftest import FakeClock

REG = "/webhooks/v1/registration"
HOOK_URL = "https://host.example/partner-center/events"


def register(app: httpx.Client, events: list[str], url: str = HOOK_URL) -> httpx.Response:
    return app.post(REG, json={"WebhookUrl": url, "WebhookEvents": events})


class Seen:
    def __init__(self) -> None:
        self.events: list[WebhookEvent] = []

    @hookimpl
    def csp_event_received(self, event: WebhookEvent) -> None:
        self.events.append(event)


def receiver_for(
    sandbox: Sandbox, clock: FakeClock, *, trust_sandbox: bool = True
) -> tuple[WebhookReceiver, Seen]:
    """A receiver fetching certificates from the sandbox; it trusts the sandbox's root only
    when ``trust_sandbox`` (else Partner Center's production trust)."""
    seen = Seen()

    def fetch(url: str) -> bytes:
        with sandbox.httpx_client() as http:
            return http.get(url).raise_for_status().content

    trust = (
        WebhookTrust.sandbox(sandbox.webhook_root_pem(), sandbox.webhook_certificate_url)
        if trust_sandbox
        else WebhookTrust.microsoft()
    )
    hooks = HookManager(builtins=False, entry_points=False, plugins=[seen])
    return WebhookReceiver(hooks, trust=trust, fetch=fetch, clock=clock), seen


def to_receiver(receiver: WebhookReceiver) -> httpx.Client:
    """An httpx client whose every POST is answered by the receiver's framework-neutral handle."""

    def answer(request: httpx.Request) -> httpx.Response:
        result = receiver.handle(request.content, request.headers)
        return httpx.Response(result.status, content=result.content, headers=result.headers)

    return httpx.Client(transport=httpx.MockTransport(answer))


def test_the_registration_lifecycle(app: httpx.Client) -> None:
    assert app.get(REG).status_code == 404
    created = register(app, ["test-created", "Invoice-Ready"])
    assert created.status_code == 200
    body = created.json()
    assert body["WebhookUrl"] == HOOK_URL and body["WebhookEvents"] == [
        "test-created",
        "invoice-ready",
    ]
    assert body["SubscriberId"]
    assert register(app, ["test-created"]).status_code == 409
    assert app.get(REG).json() == body
    updated = app.put(
        REG, json={"WebhookUrl": HOOK_URL + "/v2", "WebhookEvents": ["invoice-ready"]}
    )
    assert updated.status_code == 200 and updated.json()["WebhookEvents"] == ["invoice-ready"]
    assert app.delete(REG).status_code == 204
    assert app.get(REG).status_code == 404
    assert app.delete(REG).status_code == 404


@pytest.mark.parametrize(
    ("url", "events"),
    [
        ("http://host.example/events", ["test-created"]),
        ("/relative", ["test-created"]),
        (HOOK_URL, []),
        (HOOK_URL, ["test-created", "not-an-event"]),
        (HOOK_URL, "test-created"),
    ],
)
def test_a_bad_registration_is_a_400(app: httpx.Client, url: str, events: Any) -> None:
    response = app.post(REG, json={"WebhookUrl": url, "WebhookEvents": events})
    assert response.status_code == 400, response.text
    assert app.get(REG).status_code == 404


def test_plain_http_is_allowed_to_this_machine_only(app: httpx.Client) -> None:
    assert register(app, ["test-created"], "http://127.0.0.1:9000/events").status_code == 200


def test_supported_events_lists_the_documented_names(app: httpx.Client) -> None:
    names = app.get(REG + "/events").json()
    assert "reseller-relationship-accepted-by-customer" in names and "invoice-ready" in names


def test_the_test_event_needs_test_created_and_is_limited_to_two_a_minute(
    app: httpx.Client, clock: FakeClock
) -> None:
    register(app, ["invoice-ready"])
    assert app.post(REG + "/validationEvents").status_code == 400
    app.put(REG, json={"WebhookUrl": HOOK_URL, "WebhookEvents": ["test-created"]})
    assert app.post(REG + "/validationEvents").status_code == 200
    assert app.post(REG + "/validationEvents").status_code == 200
    third = app.post(REG + "/validationEvents")
    assert third.status_code == 429 and int(third.headers["Retry-After"]) > 0
    clock.advance(61)
    assert app.post(REG + "/validationEvents").status_code == 200


def test_the_test_event_is_delivered_signed_and_its_status_recorded(
    sandbox: Sandbox, app: httpx.Client, clock: FakeClock
) -> None:
    register(app, ["test-created"])
    correlation = app.post(REG + "/validationEvents").json()["correlationId"]
    assert app.get(f"{REG}/validationEvents/{correlation}").json()["status"] == "pending"
    receiver, seen = receiver_for(sandbox, clock)
    (delivery,) = sandbox.deliver_webhooks(to_receiver(receiver))
    assert delivery.status == 200
    assert [event.name for event in seen.events] == ["test-created"]
    status = app.get(f"{REG}/validationEvents/{correlation}").json()
    assert (status["status"], status["responseCode"]) == ("completed", 200)
    assert sandbox.deliver_webhooks(to_receiver(receiver)) == []  # delivered: out of the outbox
    assert app.get(f"{REG}/validationEvents/unknown").status_code == 404


def test_a_receiver_that_does_not_trust_the_sandbox_refuses_its_events(
    sandbox: Sandbox, app: httpx.Client, clock: FakeClock
) -> None:
    register(app, ["test-created"])
    app.post(REG + "/validationEvents")
    receiver, seen = receiver_for(sandbox, clock, trust_sandbox=False)
    (delivery,) = sandbox.deliver_webhooks(to_receiver(receiver))
    assert delivery.status == 401 and seen.events == []


def test_a_refused_event_is_retried_ten_times_then_queued_offline(
    sandbox: Sandbox, app: httpx.Client
) -> None:
    register(app, ["test-created"])
    app.post(REG + "/validationEvents")
    refusing = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(503)))
    for _ in range(MAX_ATTEMPTS):
        (delivery,) = sandbox.deliver_webhooks(refusing)
        assert delivery.status == 503
    assert sandbox.deliver_webhooks(refusing) == []
    assert len(sandbox.world.webhooks["offline"]) == 1


def test_an_unreachable_receiver_counts_as_a_failed_attempt(
    sandbox: Sandbox, app: httpx.Client
) -> None:
    register(app, ["test-created"])
    app.post(REG + "/validationEvents")

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    (delivery,) = sandbox.deliver_webhooks(httpx.Client(transport=httpx.MockTransport(unreachable)))
    assert delivery.status is None and "ConnectError" in delivery.message
    assert sandbox.world.webhooks["outbox"][0]["attempts"] == 1


def test_the_world_emits_the_events_the_registration_asks_for(
    sandbox: Sandbox, app: httpx.Client, clock: FakeClock
) -> None:
    register(app, ["reseller-relationship-accepted-by-customer", "invoice-ready"])
    tenant = sandbox.add_existing_tenant("fabrikam.onmicrosoft.com")
    sandbox.accept_relationship(tenant)
    sandbox.accept_relationship(tenant)  # already accepted: no second event
    sandbox.generate_invoice(2024, 12)
    assert not sandbox.emit_webhook_event("granular-admin-relationship-approved", "/x")
    receiver, seen = receiver_for(sandbox, clock)
    deliveries = sandbox.deliver_webhooks(to_receiver(receiver))
    assert [d.status for d in deliveries] == [200, 200]
    accepted, invoice = seen.events
    assert accepted.name == "reseller-relationship-accepted-by-customer"
    assert accepted.customer_id == tenant
    assert invoice.name == "invoice-ready" and invoice.invoice_id


def test_an_admin_can_queue_any_event(
    sandbox: Sandbox, app: httpx.Client, clock: FakeClock
) -> None:
    register(app, ["granular-admin-relationship-approved"])
    with sandbox.httpx_client(token=sandbox.admin_token) as admin:
        queued = admin.post(
            "/sandbox/v1/webhooks/events",
            json={"eventName": "granular-admin-relationship-approved", "resourceUri": "/v1/x"},
        )
    assert queued.status_code == 201 and queued.json()["queued"]
    receiver, seen = receiver_for(sandbox, clock)
    sandbox.deliver_webhooks(to_receiver(receiver))
    assert [event.family.value for event in seen.events] == ["gdap"]


def test_the_signer_and_registration_survive_save_and_load(
    sandbox: Sandbox, app: httpx.Client, tmp_path: Path
) -> None:
    register(app, ["test-created"])
    root = sandbox.webhook_root_pem()
    sandbox.save(tmp_path / "world.json")
    again = Sandbox.load(tmp_path / "world.json")
    assert again.webhook_root_pem() == root
    with again.httpx_client(token="sandbox-app") as client:
        assert client.get(REG).json()["WebhookUrl"] == HOOK_URL


def test_the_certificates_are_served_without_a_token(sandbox: Sandbox) -> None:
    with sandbox.httpx_client() as anonymous:
        certificate = anonymous.get(sandbox.webhook_certificate_url)
        root = anonymous.get("/sandbox-certificates/webhook-root.pem")
    assert certificate.status_code == 200 and certificate.content.startswith(
        b"-----BEGIN CERTIFICATE"
    )
    assert root.content == sandbox.webhook_root_pem()


def test_the_sandbox_server_delivers_over_sockets_to_a_receiver_fetching_its_certificate() -> None:
    import time

    from csp_commerce.events import ReceiverServer

    sandbox = Sandbox(seed=5)
    seen = Seen()
    with sandbox.server(deliver_webhooks_every=0.05) as server:
        trust = WebhookTrust.sandbox(sandbox.webhook_root_pem(), sandbox.webhook_certificate_url)
        assert sandbox.webhook_certificate_url.startswith(server.url)
        hooks = HookManager(builtins=False, entry_points=False, plugins=[seen])
        receiver = WebhookReceiver(hooks, trust=trust)  # fetches over HTTP from the server
        with (
            ReceiverServer(receiver, path="/events") as endpoint,
            httpx.Client(
                base_url=server.url, headers={"Authorization": "Bearer sandbox-app"}
            ) as app,
        ):
            register(app, ["test-created"], endpoint.url)
            correlation = app.post(REG + "/validationEvents").json()["correlationId"]
            deadline = time.monotonic() + 20
            status = app.get(f"{REG}/validationEvents/{correlation}").json()
            while status["status"] == "pending" and time.monotonic() < deadline:
                time.sleep(0.05)
                status = app.get(f"{REG}/validationEvents/{correlation}").json()
    assert [event.name for event in seen.events] == ["test-created"]
    assert status["responseCode"] == 200
    assert receiver.certificates.fetches == 1


def test_a_subscription_change_emits_subscription_updated_for_it(
    sandbox: Sandbox, app: httpx.Client, user: httpx.Client, clock: FakeClock
) -> None:
    from .conftest import buy, line, ready_customer

    register(app, ["subscription-updated"])
    basic = sandbox.catalog.find("Microsoft 365 Business Basic").catalog_item_id
    customer = ready_customer(user)
    order = buy(user, customer, line(basic, 5)).json()["orders"][0]
    subscription_id = order["lineItems"][0]["subscriptionId"]
    path = f"/v1/customers/{customer}/subscriptions/{subscription_id}"
    assert sandbox.world.webhooks["outbox"] == []  # buying is not an update
    refused = user.patch(path, json={**user.get(path).json(), "quantity": 0})
    assert refused.status_code == 400 and sandbox.world.webhooks["outbox"] == []
    assert user.patch(path, json={**user.get(path).json(), "quantity": 6}).status_code == 200
    receiver, seen = receiver_for(sandbox, clock)
    (delivery,) = sandbox.deliver_webhooks(to_receiver(receiver))
    assert delivery.status == 200
    (event,) = seen.events
    assert event.name == "subscription-updated"
    assert (event.customer_id, event.subscription_id) == (customer, subscription_id)
