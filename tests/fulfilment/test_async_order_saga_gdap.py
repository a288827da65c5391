"""The partner's GDAP template asked by the async twin: an :class:`AsyncProvisioner` order that
creates a tenant asks for the template's relationship once, awaiting Graph without the sync
client; a kill at any ledger write or a lost Graph answer is finished by a sync worker, and the
relationship is still asked once (the twins share the ledger and the steps)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from exactly_once_world import (
    Host,
    KillableLedger,
    Killed,
    LedgerClock,
    Wire,
    async_client_on,
    client_on,
    open_ledger,
)
from fulfilment_world import acceptance, new_customer_order, offer, plan_for

from csp_commerce import Checkout, HookManager, Order, OrderLine, hookimpl
from csp_commerce.errors import CSPCommerceError, ProvisioningInterrupted
from csp_commerce.fulfilment import gdap_actions
from csp_commerce.fulfilment.engine import StepEngine
from csp_commerce.fulfilment.gdap_actions import (
    apply_template_assignments,
    applying_template_assignments,
)
from csp_commerce.fulfilment.order_saga import AsyncProvisioner, Provisioner
from csp_commerce.models import OutcomeStatus, ProvisioningOutcome
from csp_commerce.models.gdap import ROLES, GdapGroup, GdapRequested, GdapTemplate
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import Sandbox
from csp_commerce.store.ledger import Ledger

TEMPLATE = GdapTemplate(roles=("User Administrator", "License Administrator"), duration="P365D")
RELATIONSHIPS = "/delegatedAdminRelationships"


class GdapHost(Host):
    """The host, also told of each GDAP request."""

    def __init__(self) -> None:
        super().__init__()
        self.requested: list[GdapRequested] = []

    @hookimpl
    def csp_gdap_requested(self, order: Order, request: GdapRequested) -> None:
        self.requested.append(request)


class AsyncRun:
    """One new-customer order placed by the async twin over a wire, finished by either twin."""

    def __init__(self, path: str) -> None:
        self.sandbox = Sandbox(seed=7)
        self.order = new_customer_order(
            1, OrderLine(offer=offer(self.sandbox, "Office 365 E3"), quantity=3)
        )
        self.plan = plan_for(Checkout(hooks=HookManager(entry_points=False)), self.order)
        self.host = GdapHost()
        self.hooks = HookManager(entry_points=False, plugins=[self.host])
        self.wire = Wire(self.sandbox)
        self.clock = LedgerClock()
        self.path = path

    async def place(self, ledger: Ledger) -> ProvisioningOutcome | None:
        provisioner = AsyncProvisioner(
            async_client_on(self.wire), ledger, self.hooks, gdap_template=TEMPLATE
        )
        try:
            return await provisioner.place(self.order, self.plan, mca=acceptance(self.order))
        except ProvisioningInterrupted:
            return None

    def finish_sync(self) -> ProvisioningOutcome:
        """A sync worker, after the lease ran out, resumes the order and reads its outcome."""
        self.clock.advance()
        with open_ledger(self.path, self.clock) as ledger:
            provisioner = Provisioner(
                client_on(self.wire), ledger, self.hooks, gdap_template=TEMPLATE
            )
            for _ in range(5):
                provisioner.resume()
            return provisioner.place(self.order, self.plan, mca=acceptance(self.order))

    def asked(self) -> list[dict[str, Any]]:
        """The relationships the template made (not Microsoft's Default GDAP one)."""
        return [
            rel
            for rel in self.sandbox.world.gdap.get("relationships", {}).values()
            if not rel["displayName"].startswith("Default_")
        ]

    def verify(self, outcome: ProvisioningOutcome, *, told: int = 1) -> None:
        assert outcome.status is OutcomeStatus.PLACED
        (relationship,) = self.asked()
        assert relationship["status"] == "approvalPending"
        assert relationship["customer"]["tenantId"] == outcome.customer_tenant_id
        roles = {role["roleDefinitionId"] for role in relationship["accessDetails"]["unifiedRoles"]}
        assert roles == {ROLES["User Administrator"], ROLES["License Administrator"]}
        assert len(self.host.requested) == told
        assert {r.relationship_id for r in self.host.requested} == {relationship["id"]}
        assert self.host.requested[0].order_id == self.order.id


def no_sync_client(*_: object, **__: object) -> Any:
    raise AssertionError("the sync client was used")


async def test_an_async_order_asks_for_the_template_once_awaiting_graph(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = AsyncRun(str(tmp_path / "l.sqlite3"))
    monkeypatch.setattr(PartnerCenterClient, "_send", no_sync_client)
    monkeypatch.setattr(PartnerCenterClient, "_execute", no_sync_client)
    with open_ledger(run.path, run.clock) as ledger:
        outcome = await run.place(ledger)
        assert outcome is not None
        run.verify(outcome)
        assert [s.key for s in ledger.steps(run.order.id)][-2:] == ["gdap:create", "gdap:lock"]
        again = await run.place(ledger)
    assert again == outcome
    assert len(run.wire.to("POST", RELATIONSHIPS)) == 1
    assert len(run.wire.to("POST", "/requests")) == 1  # locked for approval once
    assert len(run.host.requested) == 1


async def test_killed_at_every_ledger_write_and_finished_by_the_sync_twin_asks_once(
    tmp_path: Any,
) -> None:
    kills: list[str] = []
    for n in itertools.count(1):
        run = AsyncRun(str(tmp_path / f"l{n}.sqlite3"))
        dying = KillableLedger(run.path, clock=run.clock, kill_at=n)
        try:
            await run.place(dying)
        except Killed:
            pass
        finally:
            dying.close()
        if dying.killed_at is None:
            break
        kills.append(dying.killed_at)
        twice = dying.killed_at == "finish_step(gdap:lock)"  # told, then died recording it
        try:
            run.verify(run.finish_sync(), told=2 if twice else 1)
            assert len(run.wire.to("POST", RELATIONSHIPS)) <= 2  # at most resent, same id
            assert len({s.request_id for s in run.wire.to("POST", RELATIONSHIPS)}) <= 1
        except AssertionError as failure:
            raise AssertionError(f"killed at write {n} ({dying.killed_at}): {failure}") from None
    assert "begin_step(gdap:create)" in kills and "finish_step(gdap:create)" in kills
    assert "finish_step(gdap:lock)" in kills


async def test_a_lost_graph_answer_of_the_async_twin_is_finished_once_by_the_sync_twin(
    tmp_path: Any,
) -> None:
    clean = AsyncRun(str(tmp_path / "clean.sqlite3"))
    with open_ledger(clean.path, clean.clock) as ledger:
        await clean.place(ledger)
    graph = [n for n, sent in enumerate(clean.wire.sent) if "delegatedAdmin" in sent.path]
    assert graph, "the async order sent nothing to Graph"
    for n in graph:
        run = AsyncRun(str(tmp_path / f"l{n}.sqlite3"))
        run.wire.trouble[n] = "drop"
        with open_ledger(run.path, run.clock) as ledger:
            assert await run.place(ledger) is None  # interrupted: the answer never came
        try:
            run.verify(run.finish_sync())
        except AssertionError as failure:
            raise AssertionError(f"answer {n} lost: {failure}") from None


async def test_every_gdap_step_runs_on_the_async_client_and_a_lost_one_is_finished_by_sync(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Assignments (the template's, then updated and deleted), a lost assignment answer the
    sync twin finishes, and a termination: each awaited with the async client."""
    run = AsyncRun(str(tmp_path / "l.sqlite3"))
    with open_ledger(run.path, run.clock) as ledger:
        outcome = await run.place(ledger)
        assert outcome is not None
        relationship = run.host.requested[0].relationship_id
        run.sandbox.approve_gdap(relationship)
        template = TEMPLATE.model_copy(
            update={
                "groups": (
                    GdapGroup(group_id="admins", roles=("User Administrator",)),
                    GdapGroup(group_id="billing", roles=("License Administrator",)),
                )
            }
        )
        engine = StepEngine(async_client_on(run.wire), ledger)
        run.wire.next = ("POST", "/accessAssignments", "drop")  # the first group's answer lost
        with monkeypatch.context() as banned:
            banned.setattr(PartnerCenterClient, "_send", no_sync_client)
            banned.setattr(PartnerCenterClient, "_execute", no_sync_client)
            with pytest.raises(CSPCommerceError):
                await engine.arun(applying_template_assignments(engine, relationship, template))
        done = apply_template_assignments(client_on(run.wire), ledger, relationship, template)
        assert set(done.assignments) == {"admins", "billing"}
        assert len(run.wire.to("POST", "/accessAssignments")) == 3  # the lost one resent once

        with monkeypatch.context() as banned:
            banned.setattr(PartnerCenterClient, "_send", no_sync_client)
            banned.setattr(PartnerCenterClient, "_execute", no_sync_client)
            admins = done.assignments["admins"].id
            both = ("User Administrator", "License Administrator")
            updated = await engine.arun(
                gdap_actions.update_assignment(engine, "op", "update", relationship, admins, both)
            )
            await engine.arun(
                gdap_actions.delete_assignment(
                    engine, "op", "delete", relationship, done.assignments["billing"].id
                )
            )
            ended = await engine.arun(gdap_actions.terminate(engine, "op", "end", relationship))

    assert {r.role_definition_id for r in updated.access_details.unified_roles} == {
        ROLES["User Administrator"],
        ROLES["License Administrator"],
    }
    assert len(run.wire.to("DELETE", done.assignments["billing"].id)) == 1
    assert ended.status in gdap_actions.TERMINATED
