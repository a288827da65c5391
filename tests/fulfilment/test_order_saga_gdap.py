"""The partner's GDAP template asked of every tenant an order creates, through the order's own
steps: once, whatever stops the process or loses an answer, with the approval link told to the
host; and ``enableGDAPByDefault`` sent with the new customer."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest
from exactly_once_world import (
    Host,
    KillableLedger,
    Killed,
    LedgerClock,
    Wire,
    client_on,
    open_ledger,
)
from fulfilment_world import acceptance, new_customer_order, offer, plan_for

from csp_commerce import Checkout, HookManager, Order, OrderLine, hookimpl
from csp_commerce.errors import ProvisioningInterrupted
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.models import OutcomeStatus, ProvisioningOutcome
from csp_commerce.models.gdap import ROLES, GdapRequested, GdapTemplate
from csp_commerce.sandbox import Sandbox
from csp_commerce.store.ledger import Ledger, StepStatus

TEMPLATE = GdapTemplate(roles=("User Administrator", "License Administrator"), duration="P365D")


class GdapHost(Host):
    """The host, also told of each GDAP request."""

    def __init__(self) -> None:
        super().__init__()
        self.requested: list[GdapRequested] = []

    @hookimpl
    def csp_gdap_requested(self, order: Order, request: GdapRequested) -> None:
        self.requested.append(request)


class Run:
    def __init__(self, path: str, **options: Any) -> None:
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
        self.options = {"gdap_template": TEMPLATE, **options}

    def provisioner(self, ledger: Ledger) -> Provisioner:
        return Provisioner(client_on(self.wire), ledger, self.hooks, **self.options)

    def place(self, ledger: Ledger) -> ProvisioningOutcome | None:
        try:
            return self.provisioner(ledger).place(self.order, self.plan, mca=acceptance(self.order))
        except ProvisioningInterrupted:
            return None

    def finish(self) -> ProvisioningOutcome:
        self.clock.advance()
        with open_ledger(self.path, self.clock) as ledger:
            for _ in range(5):
                self.provisioner(ledger).resume()
            outcome = self.place(ledger)
        assert outcome is not None
        return outcome

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
        assert relationship["displayName"] == "Contoso 1 GDAP"
        roles = {role["roleDefinitionId"] for role in relationship["accessDetails"]["unifiedRoles"]}
        assert roles == {ROLES["User Administrator"], ROLES["License Administrator"]}
        assert len(self.host.requested) == told
        assert {r.relationship_id for r in self.host.requested} == {relationship["id"]}
        assert self.host.requested[0].approval_link.endswith(relationship["id"])
        assert self.host.requested[0].order_id == self.order.id


def test_a_new_tenant_is_asked_for_the_template_and_the_host_gets_the_link(tmp_path: Any) -> None:
    run = Run(str(tmp_path / "l.sqlite3"))
    with open_ledger(run.path, run.clock) as ledger:
        outcome = run.place(ledger)
        assert outcome is not None
        run.verify(outcome)
        assert [s.key for s in ledger.steps(run.order.id)][-2:] == ["gdap:create", "gdap:lock"]
        again = run.place(ledger)
    assert again == outcome and len(run.asked()) == 1 and len(run.host.requested) == 1


def test_without_a_template_or_for_an_existing_tenant_nothing_is_asked(tmp_path: Any) -> None:
    run = Run(str(tmp_path / "l.sqlite3"), gdap_template=None)
    with open_ledger(run.path, run.clock) as ledger:
        assert run.place(ledger) is not None
    assert run.asked() == [] and run.host.requested == []


@pytest.mark.parametrize(("enable", "default"), [(None, 1), (True, 1), (False, 0)])
def test_enable_gdap_by_default_is_sent_with_the_new_customer(
    tmp_path: Any, enable: bool | None, default: int
) -> None:
    run = Run(str(tmp_path / "l.sqlite3"), enable_gdap_by_default=enable)
    with open_ledger(run.path, run.clock) as ledger:
        outcome = run.place(ledger)
    assert outcome is not None
    relationships = run.sandbox.world.gdap["relationships"].values()
    defaults = [r for r in relationships if r["displayName"].startswith("Default_")]
    assert len(defaults) == default
    if defaults:
        assert defaults[0]["status"] == "active"
        assert defaults[0]["customer"]["tenantId"] == outcome.customer_tenant_id


class RefusingGraph(Wire):
    """Graph refuses every new relationship (400, Graph's error body)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/delegatedAdminRelationships"):
            body = {"error": {"code": "BadRequest", "message": "refused for the test"}}
            return httpx.Response(400, json=body, request=request)
        return super().handle_request(request)


def test_a_refused_gdap_request_leaves_the_order_placed(tmp_path: Any) -> None:
    """GDAP is not needed for a purchase: Graph refusing it is logged, the order stands."""
    run = Run(str(tmp_path / "l.sqlite3"))
    run.wire = RefusingGraph(run.sandbox)
    with open_ledger(run.path, run.clock) as ledger:
        outcome = run.place(ledger)
        assert outcome is not None and outcome.status is OutcomeStatus.PLACED
        step = ledger.get_step(run.order.id, "gdap:create")
        assert step is not None and step.status is StepStatus.FAILED
    assert run.asked() == [] and run.host.requested == []


def test_a_template_breaking_the_rules_sends_nothing_and_the_order_stands(tmp_path: Any) -> None:
    bad = GdapTemplate(roles=("Chief Coffee Officer",))
    run = Run(str(tmp_path / "l.sqlite3"), gdap_template=bad)
    with open_ledger(run.path, run.clock) as ledger:
        outcome = run.place(ledger)
        assert outcome is not None and outcome.status is OutcomeStatus.PLACED
        assert ledger.get_step(run.order.id, "gdap:create") is None
    assert run.asked() == [] and not [s for s in run.wire.sent if "delegatedAdmin" in s.path]


def test_killed_at_every_ledger_write_asks_once(tmp_path: Any) -> None:
    kills: list[str] = []
    for n in itertools.count(1):
        run = Run(str(tmp_path / f"l{n}.sqlite3"))
        dying = KillableLedger(run.path, clock=run.clock, kill_at=n)
        try:
            run.place(dying)
        except Killed:
            pass
        finally:
            dying.close()
        if dying.killed_at is None:
            break
        kills.append(dying.killed_at)
        twice = dying.killed_at == "finish_step(gdap:lock)"  # told, then died recording it
        try:
            run.verify(run.finish(), told=2 if twice else 1)
        except AssertionError as failure:
            raise AssertionError(f"killed at write {n} ({dying.killed_at}): {failure}") from None
    assert "begin_step(gdap:create)" in kills and "finish_step(gdap:lock)" in kills


def test_the_answer_to_every_request_lost_asks_once(tmp_path: Any) -> None:
    clean = Run(str(tmp_path / "clean.sqlite3"))
    with open_ledger(clean.path, clean.clock) as ledger:
        clean.place(ledger)
    graph = [n for n, sent in enumerate(clean.wire.sent) if "delegatedAdmin" in sent.path]
    assert graph, "the order sent nothing to Graph"
    for n in graph:
        run = Run(str(tmp_path / f"l{n}.sqlite3"))
        run.wire.trouble[n] = "drop"
        with open_ledger(run.path, run.clock) as ledger:
            run.place(ledger)
        try:
            run.verify(run.finish())
        except AssertionError as failure:
            raise AssertionError(f"answer {n} lost: {failure}") from None
