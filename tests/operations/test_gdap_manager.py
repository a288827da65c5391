"""GDAP changes through the step engine: each once, finished after a lost answer (replayed by
the service, or forgotten and then read back), failed for good on a refusal, and checked
against the rules before any request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from operations_world import World, make_world

from csp_commerce.errors import CSPCommerceError, StepFailed
from csp_commerce.models.gdap import ROLES, GdapGroup, GdapRequested, GdapTemplate
from csp_commerce.operations.gdap_manager import (
    GdapManager,
    apply_template_assignments,
    request_gdap,
)
from csp_commerce.store import Ledger
from csp_commerce.store.ledger import StepStatus

READER = ROLES["Global Reader"]
USERS = ROLES["User Administrator"]
LICENCES = ROLES["License Administrator"]


@pytest.fixture
def world() -> World:
    return make_world()


def writes(world: World, method: str, suffix: str = "") -> list[str | None]:
    return [
        r.request_id
        for r in world.transport.requests
        if r.method == method
        and "delegatedAdminRelationships" in r.path
        and r.path.endswith(suffix)
    ]


def relationships(world: World) -> list[dict[str, object]]:
    return list(world.sandbox.world.gdap.get("relationships", {}).values())


def active_relationship(
    world: World, ledger: Ledger, roles: tuple[str, ...] = (READER, USERS)
) -> str:
    manager = GdapManager(world.client, ledger)
    made = manager.create_relationship("Active GDAP", "P730D", roles, customer_tenant_id="t-9")
    assert made.relationship is not None
    manager.lock_for_approval(made.relationship.id)
    world.sandbox.approve_gdap(made.relationship.id)
    return made.relationship.id


def lose_and_resume(
    world: World,
    path: Path,
    method: str,
    change: Callable[[GdapManager], object],
    *,
    forgotten: bool,
) -> object:
    """Run ``change`` with its ``method`` request applied and its answer lost; the process then
    dies (its ledger and manager are dropped) and a new one runs the same change again."""
    ledger = Ledger(path)
    world.transport.lose_next = (method, True)
    with pytest.raises(CSPCommerceError):
        change(GdapManager(world.client, ledger))
    (step,) = ledger.steps("op-1")
    assert step.status is StepStatus.SENT
    ledger.close()
    if forgotten:
        world.sandbox.world.requests.clear()  # the service no longer replays the request id
    resumed = Ledger(path)
    result = change(GdapManager(world.client, resumed))
    (step,) = resumed.steps("op-1")
    assert step.status is StepStatus.DONE
    assert bool(step.result and step.result.get("read_back")) is forgotten
    before = len(world.transport.requests)
    assert change(GdapManager(world.client, resumed)) == result  # recorded: nothing sent
    assert len(world.transport.requests) == before
    resumed.close()
    return result


# -- rules before any request -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "duration", "roles", "code"),
    [
        ("Contoso GDAP", "P730D", ["Chief Coffee Officer"], "gdap.role.unknown"),
        ("Contoso GDAP", "P3Y", [READER], "gdap.duration.out_of_range"),
        ("taken gdap", "P730D", [READER], "gdap.display_name.taken"),
    ],
)
def test_bad_input_is_a_problem_before_any_request(
    world: World, name: str, duration: str, roles: list[str], code: str
) -> None:
    ledger = Ledger(":memory:")
    world.client.gdap.create_relationship("Taken GDAP", "P30D", [READER])
    before = len(writes(world, "POST"))
    change = GdapManager(world.client, ledger).create_relationship(name, duration, roles)
    assert [p.code for p in change.problems] == [code]
    assert not change.ok and change.relationship is None
    assert len(writes(world, "POST")) == before and ledger.steps() == []


def test_an_assignment_with_a_role_outside_the_relationship_is_a_problem(world: World) -> None:
    ledger = Ledger(":memory:")
    relationship = active_relationship(world, ledger, (READER,))
    change = GdapManager(world.client, ledger).create_assignment(relationship, "g-1", [USERS])
    assert [p.code for p in change.problems] == ["gdap.role.not_in_relationship"]
    assert writes(world, "POST", "/accessAssignments") == []


# -- the lifecycle ------------------------------------------------------------------------------


def test_create_lock_terminate_each_once_with_its_recorded_request_id(world: World) -> None:
    ledger = Ledger(":memory:")
    manager = GdapManager(world.client, ledger)
    made = manager.create_relationship(
        "Contoso GDAP", "P2Y", ["Global Reader"], customer_tenant_id="t-1", operation_id="c"
    )
    assert made.ok and made.relationship is not None
    assert made.relationship.status == "created" and made.approval_link is None
    locked = manager.lock_for_approval(made.relationship.id, operation_id="l")
    assert locked.approval_link is not None and made.relationship.id in locked.approval_link
    world.sandbox.approve_gdap(made.relationship.id)
    ended = manager.terminate(made.relationship.id, operation_id="t")
    assert ended.relationship is not None and ended.relationship.status == "terminated"
    sent = writes(world, "POST")
    assert sent == [s.request_id for s in ledger.steps()]  # one request per step, its id
    assert [s.kind for s in ledger.steps()] == [
        "gdap_create_relationship",
        "gdap_lock_for_approval",
        "gdap_terminate",
    ]


@pytest.mark.parametrize("forgotten", [False, True], ids=["replayed", "forgotten"])
def test_a_lost_create_is_finished_without_a_second_relationship(
    world: World, tmp_path: Path, forgotten: bool
) -> None:
    def change(manager: GdapManager) -> object:
        return manager.create_relationship(
            "Contoso GDAP", "P730D", [READER], customer_tenant_id="t-1", operation_id="op-1"
        ).relationship

    made = lose_and_resume(world, tmp_path / "l.sqlite3", "POST", change, forgotten=forgotten)
    (only,) = relationships(world)
    assert made is not None and only["id"] == made.id  # type: ignore[attr-defined]
    assert len(set(writes(world, "POST"))) == 1


def test_a_refused_resend_whose_read_back_does_not_match_fails(world: World) -> None:
    """The name was taken by someone else's relationship meanwhile: not ours, a failure."""
    ledger = Ledger(":memory:")
    world.transport.lose_next = ("POST", False)  # lost before it reached Graph
    manager = GdapManager(world.client, ledger)
    with pytest.raises(CSPCommerceError):
        manager.create_relationship("Contoso GDAP", "P730D", [READER], operation_id="op-1")
    world.client.gdap.create_relationship("Contoso GDAP", "P30D", [USERS])  # another's
    with pytest.raises(StepFailed):
        manager.create_relationship("Contoso GDAP", "P730D", [READER], operation_id="op-1")
    assert ledger.steps("op-1")[0].status is StepStatus.FAILED


@pytest.mark.parametrize("forgotten", [False, True], ids=["replayed", "forgotten"])
def test_a_lost_lock_is_finished_once(world: World, tmp_path: Path, forgotten: bool) -> None:
    created = world.client.gdap.create_relationship("Lock me", "P730D", [READER])

    def change(manager: GdapManager) -> object:
        return manager.lock_for_approval(created.id, operation_id="op-1").approval_link

    link = lose_and_resume(world, tmp_path / "l.sqlite3", "POST", change, forgotten=forgotten)
    assert isinstance(link, str) and link.endswith(created.id)
    assert relationships(world)[0]["status"] == "approvalPending"


@pytest.mark.parametrize("forgotten", [False, True], ids=["replayed", "forgotten"])
def test_a_lost_termination_is_finished_once(world: World, tmp_path: Path, forgotten: bool) -> None:
    relationship = active_relationship(world, Ledger(":memory:"))

    def change(manager: GdapManager) -> object:
        ended = manager.terminate(relationship, operation_id="op-1").relationship
        return ended.status if ended else None

    assert lose_and_resume(world, tmp_path / "t.sqlite3", "POST", change, forgotten=forgotten) == (
        "terminated"
    )


def test_a_definite_refusal_fails_the_step_for_good(world: World) -> None:
    ledger = Ledger(":memory:")
    relationship = active_relationship(world, ledger)
    manager = GdapManager(world.client, ledger)
    with pytest.raises(StepFailed):
        manager.lock_for_approval(relationship, operation_id="again")  # active: refused
    (step,) = ledger.steps("again")
    assert step.status is StepStatus.FAILED and step.attempts == 1
    before = len(world.transport.requests)
    with pytest.raises(StepFailed):
        manager.lock_for_approval(relationship, operation_id="again")
    assert len(world.transport.requests) == before  # failed for good: never sent again


# -- access assignments -------------------------------------------------------------------------


@pytest.mark.parametrize("forgotten", [False, True], ids=["replayed", "forgotten"])
def test_a_lost_assignment_is_finished_without_a_second_one(
    world: World, tmp_path: Path, forgotten: bool
) -> None:
    relationship = active_relationship(world, Ledger(":memory:"))

    def change(manager: GdapManager) -> object:
        made = manager.create_assignment(relationship, "g-1", [READER], operation_id="op-1")
        return made.assignment.id if made.assignment else None

    made = lose_and_resume(world, tmp_path / "a.sqlite3", "POST", change, forgotten=forgotten)
    (only,) = world.client.gdap.list_access_assignments(relationship)
    assert only.id == made


@pytest.mark.parametrize("forgotten", [False, True], ids=["replayed", "forgotten"])
def test_a_lost_assignment_update_is_finished_once(
    world: World, tmp_path: Path, forgotten: bool
) -> None:
    relationship = active_relationship(world, Ledger(":memory:"))
    assignment = world.client.gdap.create_access_assignment(relationship, "g-1", [READER])

    def change(manager: GdapManager) -> object:
        made = manager.update_assignment(
            relationship, assignment.id, [READER, USERS], operation_id="op-1"
        )
        return sorted(r.role_definition_id for r in made.assignment.access_details.unified_roles)  # type: ignore[union-attr]

    roles = lose_and_resume(world, tmp_path / "u.sqlite3", "PATCH", change, forgotten=forgotten)
    assert roles == sorted([READER, USERS])


@pytest.mark.parametrize("forgotten", [False, True], ids=["replayed", "forgotten"])
def test_a_lost_assignment_deletion_is_finished_once(
    world: World, tmp_path: Path, forgotten: bool
) -> None:
    relationship = active_relationship(world, Ledger(":memory:"))
    assignment = world.client.gdap.create_access_assignment(relationship, "g-1", [READER])

    def change(manager: GdapManager) -> object:
        return manager.delete_assignment(relationship, assignment.id, operation_id="op-1").ok

    assert lose_and_resume(world, tmp_path / "d.sqlite3", "DELETE", change, forgotten=forgotten)
    assert world.client.gdap.list_access_assignments(relationship) == []


def test_an_assignment_on_a_relationship_not_active_is_refused(world: World) -> None:
    ledger = Ledger(":memory:")
    created = world.client.gdap.create_relationship("Pending", "P730D", [READER])
    with pytest.raises(StepFailed):
        GdapManager(world.client, ledger).create_assignment(created.id, "g-1", [READER])
    assert ledger.steps()[0].status is StepStatus.FAILED


# -- an indirect reseller's consent ---------------------------------------------------------------


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "reject"])
@pytest.mark.parametrize("forgotten", [False, True], ids=["replayed", "forgotten"])
def test_a_reseller_consents_once_to_its_providers_relationship(
    world: World, tmp_path: Path, approve: bool, forgotten: bool
) -> None:
    made = world.sandbox.add_reseller_gdap("provider-1", "customer-1", "From the provider")

    def change(manager: GdapManager) -> object:
        act = manager.approve_as_reseller if approve else manager.reject_as_reseller
        done = act(str(made["id"]), operation_id="op-1").relationship
        return done.status if done else None

    status = lose_and_resume(world, tmp_path / "r.sqlite3", "POST", change, forgotten=forgotten)
    assert status == ("active" if approve else "terminated")
    (stored,) = relationships(world)
    assert stored["isPartnerConsentPending"] is False


# -- the partner's template ---------------------------------------------------------------------

TEMPLATE = GdapTemplate(
    roles=("Global Reader", "User Administrator", "License Administrator"),
    groups=(
        GdapGroup(group_id="helpdesk", roles=("Global Reader",)),
        GdapGroup(group_id="admins", roles=("User Administrator", "License Administrator")),
    ),
)


def test_the_template_is_asked_once_and_the_link_told_before_the_step_is_done(
    world: World,
) -> None:
    ledger = Ledger(":memory:")
    told: list[GdapRequested] = []

    def tell(asked: GdapRequested) -> None:
        told.append(asked)
        (lock,) = [s for s in ledger.steps() if s.key == "gdap:lock"]
        assert lock.status is StepStatus.SENT  # told before the step is recorded done

    asked = request_gdap(world.client, ledger, TEMPLATE, "t-1", "Contoso", on_requested=tell)
    again = request_gdap(world.client, ledger, TEMPLATE, "t-1", "Contoso", on_requested=tell)
    assert asked == again == told[0] and len(told) == 1
    assert asked.status == "approvalPending" and asked.display_name == "Contoso GDAP"
    assert asked.approval_link.endswith(asked.relationship_id)
    (stored,) = relationships(world)
    assert stored["customer"]["tenantId"] == "t-1"  # type: ignore[index]
    assert stored["autoExtendDuration"] == "P180D" and stored["duration"] == "P730D"


def test_a_template_name_taken_by_another_customer_gets_the_tenant_added(world: World) -> None:
    world.client.gdap.create_relationship("Contoso GDAP", "P30D", [READER])
    asked = request_gdap(world.client, Ledger(":memory:"), TEMPLATE, "abcdef123456", "Contoso")
    assert asked.display_name == "Contoso GDAP abcdef12"


def test_a_template_breaking_the_rules_sends_nothing(world: World) -> None:
    bad = GdapTemplate(roles=("Chief Coffee Officer",), duration="P3Y")
    with pytest.raises(CSPCommerceError, match="Chief Coffee Officer"):
        request_gdap(world.client, Ledger(":memory:"), bad, "t-1", "Contoso")
    assert relationships(world) == [] and writes(world, "POST") == []


def test_template_assignments_wait_for_approval_then_are_made_once(world: World) -> None:
    ledger = Ledger(":memory:")
    asked = request_gdap(world.client, ledger, TEMPLATE, "t-1", "Contoso")
    waiting = apply_template_assignments(world.client, ledger, asked.relationship_id, TEMPLATE)
    assert waiting.waiting and waiting.assignments == {}
    assert writes(world, "POST", "/accessAssignments") == []

    world.sandbox.approve_gdap(asked.relationship_id)
    done = apply_template_assignments(world.client, ledger, asked.relationship_id, TEMPLATE)
    assert not done.waiting and set(done.assignments) == {"helpdesk", "admins"}
    again = apply_template_assignments(world.client, ledger, asked.relationship_id, TEMPLATE)
    assert set(again.assignments) == {"helpdesk", "admins"}
    assert len(writes(world, "POST", "/accessAssignments")) == 2
    listed = world.client.gdap.list_access_assignments(asked.relationship_id)
    assert sorted(a.access_container.access_container_id for a in listed) == ["admins", "helpdesk"]


def test_template_assignments_update_a_group_with_other_roles_and_refuse_foreign_roles(
    world: World,
) -> None:
    ledger = Ledger(":memory:")
    relationship = active_relationship(world, ledger, (READER, USERS, LICENCES))
    existing = world.client.gdap.create_access_assignment(relationship, "admins", [READER])
    template = TEMPLATE.model_copy(
        update={
            "groups": (
                *TEMPLATE.groups,
                GdapGroup(group_id="sec", roles=("Security Administrator",)),
            )
        }
    )
    done = apply_template_assignments(world.client, ledger, relationship, template)
    assert done.assignments["admins"].id == existing.id  # updated, not a second one
    roles = {r.role_definition_id for r in done.assignments["admins"].access_details.unified_roles}
    assert roles == {USERS, LICENCES}
    assert [p.code for p in done.problems["sec"]] == ["gdap.role.not_in_relationship"]
    assert len(writes(world, "PATCH")) == 1


@pytest.mark.parametrize("forgotten", [False, True], ids=["replayed", "forgotten"])
def test_a_template_assignment_lost_is_finished_by_the_next_call(
    world: World, forgotten: bool
) -> None:
    ledger = Ledger(":memory:")
    asked = request_gdap(world.client, ledger, TEMPLATE, "t-1", "Contoso")
    world.sandbox.approve_gdap(asked.relationship_id)
    world.transport.lose_next = ("POST", True)
    with pytest.raises(CSPCommerceError):
        apply_template_assignments(world.client, ledger, asked.relationship_id, TEMPLATE)
    if forgotten:
        world.sandbox.world.requests.clear()
    done = apply_template_assignments(world.client, ledger, asked.relationship_id, TEMPLATE)
    assert set(done.assignments) == {"helpdesk", "admins"}
    assert len(world.client.gdap.list_access_assignments(asked.relationship_id)) == 2
