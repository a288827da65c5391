"""``client.gdap`` (sync and async twins) against the sandbox's Graph GDAP routes: the
relationship's life (created → approvalPending → active → terminated / expired / extended), the
approval link, access assignments pending → active, and Graph's errors and token scope."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from csp_commerce.errors import BadRequestError, EmulatedError, PreconditionFailedError
from csp_commerce.models.gdap import ROLES
from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.provisioning.wire.gdap import approval_link
from csp_commerce.sandbox import Sandbox, SandboxCredential
from tests.sandbox.conftest import START, FakeClock

READER, USERS = ROLES["Global Reader"], ROLES["User Administrator"]


class Scopes(SandboxCredential):
    """A sandbox credential that records the scopes it is asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        self.scopes.extend(scopes)
        return super().get_token(*scopes, **kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(seed=11, clock=clock)


@pytest.fixture
def credential() -> Scopes:
    return Scopes()


@pytest.fixture
def client(sandbox: Sandbox, credential: Scopes) -> PartnerCenterClient:
    return PartnerCenterClient(credential, http_client=sandbox.httpx_client())


def _at(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_relationship_life_and_its_access_assignments(
    sandbox: Sandbox, client: PartnerCenterClient, clock: FakeClock, credential: Scopes
) -> None:
    gdap = client.gdap
    created = gdap.create_relationship("Contoso GDAP", "P730D", [READER, USERS], "tenant-1")
    assert (created.status, created.auto_extend_duration) == ("created", "P180D")
    assert created.customer is not None and created.customer.tenant_id == "tenant-1"
    assert "https://graph.microsoft.com/.default" in credential.scopes
    with pytest.raises(BadRequestError, match="not active"):
        gdap.create_access_assignment(created.id, "group-1", [READER])
    assert gdap.lock_for_approval(created.id).status == "succeeded"
    assert gdap.get_relationship(created.id).status == "approvalPending"
    assert approval_link(created.id).endswith(f"granularAdminRelationships/{created.id}")
    with pytest.raises(BadRequestError):
        gdap.lock_for_approval(created.id)  # only from created

    sandbox.approve_gdap(created.id)
    active = gdap.get_relationship(created.id)
    assert active.status == "active" and active.end_date_time == _at(START + 730 * 86400)

    with pytest.raises(BadRequestError, match="not in the relationship"):
        gdap.create_access_assignment(created.id, "group-1", [ROLES["Global Administrator"]])
    assignment = gdap.create_access_assignment(created.id, "group-1", [READER])
    assert assignment.status == "pending"
    clock.advance(61)
    current = gdap.get_access_assignment(created.id, assignment.id)
    assert current.status == "active" and current.etag
    assert [a.id for a in gdap.list_access_assignments(created.id)] == [assignment.id]
    with pytest.raises(PreconditionFailedError):
        gdap.update_access_assignment(created.id, assignment.id, [USERS], "stale")
    updated = gdap.update_access_assignment(created.id, assignment.id, [USERS], current.etag)
    assert [r.role_definition_id for r in updated.access_details.unified_roles] == [USERS]
    assert updated.etag is not None
    assert gdap.delete_access_assignment(created.id, assignment.id, updated.etag) is True
    assert gdap.list_access_assignments(created.id) == []
    assert gdap.operations(created.id) == []

    assert gdap.terminate(created.id).action == "terminate"
    assert gdap.get_relationship(created.id).status == "terminated"
    assert [r.display_name for r in gdap.list_relationships()] == ["Contoso GDAP"]


@pytest.mark.parametrize(
    ("name", "duration", "roles", "message"),
    [
        ("Contoso GDAP", "P90D", [READER], "already used"),
        ("Other", "P3Y", [READER], "P2Y"),
        ("Other", "P90D", ["00000000-0000-0000-0000-000000000000"], "Unknown roleDefinitionId"),
        ("x" * 51, "P90D", [READER], "50 characters"),
    ],
)
def test_graph_refuses_what_the_rules_refuse(
    client: PartnerCenterClient, name: str, duration: str, roles: list[str], message: str
) -> None:
    client.gdap.create_relationship("Contoso GDAP", "P90D", [READER])
    with pytest.raises(BadRequestError, match=message) as caught:
        client.gdap.create_relationship(name, duration, roles)
    assert caught.value.code == "BadRequest"  # Graph's error body is read


def test_an_active_relationship_expires_unless_it_auto_extends(
    sandbox: Sandbox, client: PartnerCenterClient, clock: FakeClock
) -> None:
    ends = client.gdap.create_relationship("Ends", "P30D", [READER], auto_extend="PT0S")
    extends = client.gdap.create_relationship("Extends", "P30D", [READER])
    for relationship in (ends, extends):
        client.gdap.lock_for_approval(relationship.id)
        sandbox.approve_gdap(relationship.id, "tenant-9")
    clock.advance(31 * 86400)
    assert client.gdap.get_relationship(ends.id).status == "expired"
    extended = client.gdap.get_relationship(extends.id)
    assert extended.status == "active"
    assert extended.end_date_time == _at(START + (30 + 180) * 86400)
    assert extended.customer is not None and extended.customer.tenant_id == "tenant-9"


def test_access_assignments_need_an_app_user_token(sandbox: Sandbox) -> None:
    from csp_commerce.errors import AppUserRequiredError

    app_only = PartnerCenterClient(
        SandboxCredential(user=False), http_client=sandbox.httpx_client()
    )
    relationship = app_only.gdap.create_relationship("App only", "P90D", [READER])
    with pytest.raises(AppUserRequiredError):
        app_only.gdap.list_access_assignments(relationship.id)


async def test_the_async_twin(sandbox: Sandbox) -> None:
    async with sandbox.async_httpx_client() as http:
        client = AsyncPartnerCenterClient(SandboxCredential(), http_client=http)
        created = await client.gdap.create_relationship("Async GDAP", "P2Y", [READER])
        await client.gdap.lock_for_approval(created.id)
        sandbox.approve_gdap(created.id, "tenant-2")
        assert (await client.gdap.get_relationship(created.id)).status == "active"
        assignment = await client.gdap.create_access_assignment(created.id, "g", [READER])
        assert (await client.gdap.list_access_assignments(created.id))[0].id == assignment.id
        assert [r.id for r in await client.gdap.list_relationships()] == [created.id]


def test_the_graph_base_follows_the_cloud_and_a_base_url_override() -> None:
    from csp_commerce.models.clouds import Cloud

    credential = SandboxCredential()
    assert PartnerCenterClient(credential).graph_base_url == "https://graph.microsoft.com/v1.0"
    assert PartnerCenterClient(credential, cloud=Cloud.US_GOV).graph_base_url == (
        "https://graph.microsoft.us/v1.0"
    )
    assert PartnerCenterClient(credential, base_url="http://127.0.0.1:9").graph_base_url == (
        "http://127.0.0.1:9"
    )


def test_a_relationship_created_and_approved_is_saved_with_the_world(
    sandbox: Sandbox, client: PartnerCenterClient, tmp_path: Any
) -> None:
    created = client.gdap.create_relationship("Saved", "P90D", [READER])
    sandbox.save(tmp_path / "w.json")
    again = Sandbox.load(tmp_path / "w.json")
    reread = PartnerCenterClient(SandboxCredential(), http_client=again.httpx_client())
    assert reread.gdap.get_relationship(created.id).display_name == "Saved"


def test_gdap_changes_are_signed_webhook_events(
    sandbox: Sandbox, client: PartnerCenterClient
) -> None:
    names = [
        "granular-admin-relationship-approved",
        "granular-admin-relationship-activated",
        "granular-admin-access-assignment-created",
        "granular-admin-relationship-terminated",
    ]
    client.webhooks.register("https://host.example/events", names)
    created = client.gdap.create_relationship("Evented", "P90D", [READER])
    client.gdap.lock_for_approval(created.id)
    sandbox.approve_gdap(created.id, "tenant-3")
    client.gdap.create_access_assignment(created.id, "group-7", [READER])
    client.gdap.terminate(created.id)
    queued = [item["eventName"] for item in sandbox.world.webhooks["outbox"]]
    assert queued == names
    assert all(created.id in item["body"] for item in sandbox.world.webhooks["outbox"])


def test_an_approval_request_left_unapproved_for_90_days_expires(
    client: PartnerCenterClient, clock: FakeClock
) -> None:
    waiting = client.gdap.create_relationship("Waiting", "P30D", [READER])
    client.gdap.lock_for_approval(waiting.id)
    clock.advance(89 * 86400)
    assert client.gdap.get_relationship(waiting.id).status == "approvalPending"
    clock.advance(86400)
    assert client.gdap.get_relationship(waiting.id).status == "expired"


def _new_customer(client: PartnerCenterClient, name: str, enable: bool | None) -> str:
    from csp_commerce.provisioning.wire import CustomerBillingProfile, PCAddress

    profile = CustomerBillingProfile(
        email="ada@example.com",
        culture="en-US",
        language="en",
        company_name=name.title(),
        default_address=PCAddress(
            country="US",
            city="Redmond",
            state="WA",
            postal_code="98052",
            address_line1="1 Microsoft Way",
            first_name="Ada",
            last_name="Lovelace",
        ),
    )
    made = client.customers.create(
        domain=f"{name}.onmicrosoft.com", billing_profile=profile, enable_gdap_by_default=enable
    )
    return made.id


@pytest.mark.parametrize(("enable", "defaults"), [(True, 1), (None, 1), (False, 0)])
def test_enable_gdap_by_default_gives_the_default_relationship_or_none(
    client: PartnerCenterClient, enable: bool | None, defaults: int
) -> None:
    tenant = _new_customer(client, "defaulted", enable)
    found = [
        r
        for r in client.gdap.list_relationships()
        if r.customer is not None and r.customer.tenant_id == tenant
    ]
    assert len(found) == defaults
    if found:
        (default,) = found
        assert default.status == "active" and default.display_name == "Default_defaulted"
        assert len(default.access_details.unified_roles) == 8


def test_a_reseller_relationship_is_answered_once_and_reject_needs_the_prefer_header(
    sandbox: Sandbox, client: PartnerCenterClient
) -> None:
    from csp_commerce.provisioning.wire.gdap import ResellerDelegatedAdminRelationship

    made = sandbox.add_reseller_gdap("provider-1", "customer-1", "For the reseller")
    read = ResellerDelegatedAdminRelationship.of(client.gdap.get_relationship(str(made["id"])))
    assert read.is_partner_consent_pending is True
    assert read.indirect_provider_tenant_id == "provider-1"
    assert read.odata_type == "#microsoft.graph.resellerDelegatedAdminRelationship"
    with pytest.raises(EmulatedError, match="Only a relationship pending approval"):
        sandbox.approve_gdap(read.id)  # the reseller answers it, not the customer
    with sandbox.httpx_client(token="sandbox-app") as http:
        path = f"/v1.0/tenantRelationships/delegatedAdminRelationships/{read.id}/requests"
        bare = http.post(path, json={"action": "reject"})  # no Prefer header
        assert bare.status_code == 400 and "reject" in bare.json()["error"]["message"]
    client.gdap.reject(read.id)
    ended = ResellerDelegatedAdminRelationship.of(client.gdap.get_relationship(read.id))
    assert (ended.status, ended.is_partner_consent_pending) == ("terminated", False)
    with pytest.raises(BadRequestError):
        client.gdap.approve(read.id)  # answered already
