"""The existing-tenant story, end to end against the sandbox: the order waits for the reseller
relationship, the tenant accepts, the signed event arrives over a real loopback socket, and the
waiting order is placed once; GDAP is then asked with the partner's template, the customer
approves, that signed event gives the template's groups their access assignments, which become
active. Each step reaches the host through its hooks.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

import httpx

from csp_commerce import (
    AcceptanceSource,
    Address,
    Checkout,
    CompanyProfile,
    Contact,
    Customer,
    HookManager,
    McaAcceptance,
    Order,
    OrderLine,
    hookimpl,
)
from csp_commerce.events import ReceiverServer, WebhookReceiver, WebhookTrust
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.models import OutcomeStatus, ProvisioningOutcome
from csp_commerce.models.events import WebhookEvent
from csp_commerce.models.gdap import GdapGroup, GdapRequested, GdapTemplate
from csp_commerce.operations import EventHandlers, GdapManager
from csp_commerce.operations.event_handlers import EVENT_HANDLERS_PLUGIN
from csp_commerce.operations.webhook_registration import register_webhook
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import Sandbox, SandboxCredential
from csp_commerce.store.event_log import EventLog
from csp_commerce.store.ledger import Ledger
from csp_commerce.store.mca_log import McaEvidenceLog

TEMPLATE = GdapTemplate(
    roles=("Global Reader", "User Administrator", "License Administrator"),
    groups=(
        GdapGroup(group_id="helpdesk", roles=("Global Reader",)),
        GdapGroup(group_id="admins", roles=("User Administrator", "License Administrator")),
    ),
)
CONTACT = Contact(
    first_name="Ada", last_name="Lovelace", email="ada@fabrikam.example", phone_number="+1425555"
)


class Host:
    """What the host sees, in order."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.link: str | None = None

    @hookimpl
    def csp_order_waiting(self, order: Order, url: str) -> None:
        self.link = url
        self.steps.append(f"waiting {order.id}")

    @hookimpl
    def csp_event_received(self, event: WebhookEvent) -> None:
        self.steps.append(f"event {event.name}")

    @hookimpl
    def csp_relationship_event(self, event: WebhookEvent) -> None:
        self.steps.append(f"relationship {event.customer_id}")

    @hookimpl
    def csp_order_provisioned(self, order: Order, outcome: ProvisioningOutcome) -> None:
        self.steps.append(f"provisioned {order.id}")

    @hookimpl
    def csp_gdap_event(self, event: WebhookEvent) -> None:
        self.steps.append(f"gdap {event.gdap_relationship_id}")

    def gdap_requested(self, asked: GdapRequested) -> None:
        self.steps.append(f"gdap requested {asked.relationship_id}")


def fabrikam(tenant_id: str) -> Customer:
    return Customer(
        reference="fabrikam",
        tenant_id=tenant_id,
        company=CompanyProfile(company_name="Fabrikam", domain="fabrikam.onmicrosoft.com"),
        address=Address(
            country="US", state="WA", city="Redmond", postal_code="98052", address_line1="1 Way"
        ),
        contact=CONTACT,
    )


def test_the_accepted_relationship_arrives_signed_and_places_the_waiting_order(
    tmp_path: Path,
) -> None:
    now = [time.time()]
    sandbox, host = Sandbox(seed=7, clock=lambda: now[0]), Host()
    client = PartnerCenterClient(
        SandboxCredential(), http_client=sandbox.httpx_client(), sleep=lambda _: None
    )
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    hooks = HookManager(entry_points=False, plugins=[host])
    checkout = Checkout(
        hooks=hooks,
        mca_log=McaEvidenceLog(tmp_path / "mca.sqlite3"),
        provisioner=Provisioner(client, ledger, hooks),
    )
    # The receiver's hooks: the host's, and the library's reactions.
    reactions = EventHandlers(checkout=checkout, gdap_template=TEMPLATE)
    receiving = hooks.with_plugins({EVENT_HANDLERS_PLUGIN: reactions})
    url, certificate = sandbox.webhook_certificate_url, sandbox.webhook_certificate_pem()
    receiver = WebhookReceiver(
        receiving,
        trust=WebhookTrust.sandbox(sandbox.webhook_root_pem(), url),
        events=EventLog(tmp_path / "events.sqlite3"),
        fetch=lambda asked: certificate if asked == url else b"",
    )

    sent: list[httpx.Request] = []
    with (
        ReceiverServer(receiver, path="/events") as endpoint,
        httpx.Client(event_hooks={"request": [sent.append]}) as http,
    ):
        events = [
            "reseller-relationship-accepted-by-customer",
            "granular-admin-relationship-approved",
        ]
        register_webhook(client, ledger, endpoint.url, events)
        # 1. An existing tenant orders: no relationship yet, so the order waits for it.
        tenant = sandbox.add_existing_tenant("fabrikam.onmicrosoft.com", "Fabrikam")
        offer = next(o for o in sandbox.catalog.offers() if o.name == "Office 365 E3")
        order = Order(
            id="fab-1", customer=fabrikam(tenant), lines=(OrderLine(offer=offer, quantity=5),)
        )
        assert (
            checkout.record_mca_acceptance(
                McaAcceptance(
                    customer_reference="fabrikam",
                    template_id="117a77b0-9360-443b-8795-c6dedc750cf9",
                    contact=CONTACT,
                    accepted_at=datetime.now(timezone.utc),
                    source=AcceptanceSource.CUSTOMER,
                    confirmed_by="ada@fabrikam.example",
                )
            )
            == []
        )
        refused = checkout.place(order)
        assert [p.code for p in refused.problems] == ["tenant.needs_invitation"]
        assert host.link is not None and "invType=ResellerRelationship" in host.link
        assert sandbox.world.customers[tenant].orders == {}

        # 2. The tenant's admin accepts; Partner Center sends the signed event to the socket.
        sandbox.accept_relationship(tenant)
        (delivery,) = sandbox.deliver_webhooks(http)
        assert delivery.status == 200, delivery.message

        # 3. A second delivery of the same event is refused as a replay, and places nothing.
        (signed,) = sent
        replay = http.post(endpoint.url, content=signed.content, headers=signed.headers)
        assert (replay.status_code, replay.json()["error"]) == (400, "replayed")

        # 4. Admin work needs GDAP: the template's relationship is asked, its link told.
        gdap = GdapManager(client, ledger)
        asked = gdap.request_for_customer(TEMPLATE, tenant, "Fabrikam")
        host.gdap_requested(asked)
        assert asked.approval_link is not None and asked.relationship_id in asked.approval_link
        assert client.gdap.list_access_assignments(asked.relationship_id) == []

        # 5. The customer's admin approves: the signed event gives the groups their roles.
        sandbox.approve_gdap(asked.relationship_id)
        (delivery,) = sandbox.deliver_webhooks(http)
        assert delivery.status == 200, delivery.message

    relationship = asked.relationship_id
    assert host.steps == [
        "waiting fab-1",
        "event reseller-relationship-accepted-by-customer",
        f"relationship {tenant}",
        "provisioned fab-1",
        f"gdap requested {relationship}",
        "event granular-admin-relationship-approved",
        f"gdap {relationship}",
    ]
    assigned = client.gdap.list_access_assignments(relationship)
    assert sorted(a.access_container.access_container_id for a in assigned) == [
        "admins",
        "helpdesk",
    ]
    now[0] += 120  # Graph activates an assignment within minutes
    assert {a.status for a in client.gdap.list_access_assignments(relationship)} == {"active"}
    assert reactions.gdap_assignments is not None
    reactions.gdap_assignments(relationship)  # the event again: nothing more is sent
    assert len(client.gdap.list_access_assignments(relationship)) == 2
    assert len(sandbox.world.customers[tenant].orders) == 1
    again = checkout.place(order).outcome  # the host placing it again buys nothing more
    assert again is not None and again.status is OutcomeStatus.PLACED
    assert len(sandbox.world.customers[tenant].orders) == 1
