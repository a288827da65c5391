"""Each GDAP change through every fault of the wire (throttled, a 5xx, a reset, a timeout,
applied with its answer dropped, lost on the way): the caller asks again with the same
operation id, and Graph ends with the change made once, sent under one request id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from exactly_once_world import LedgerClock, Wire, client_on, open_ledger

from csp_commerce.errors import CSPCommerceError
from csp_commerce.models.gdap import ROLES
from csp_commerce.operations.gdap_manager import GdapManager
from csp_commerce.sandbox import Fault, Sandbox

READER, USERS = ROLES["Global Reader"], ROLES["User Administrator"]
FAULTS = ["drop", "lose", Fault.THROTTLE, Fault.SERVER_ERROR, Fault.CONNECTION_RESET,
          Fault.TIMEOUT, Fault.COMMIT_THEN_DROP]  # fmt: skip


Ids = dict[str, str]


def _create(manager: GdapManager, ids: Ids) -> object:
    return manager.create_relationship("New", "P90D", [READER], operation_id="op").ok


def _lock(manager: GdapManager, ids: Ids) -> object:
    return manager.lock_for_approval(ids["created"], operation_id="op").approval_link


def _terminate(manager: GdapManager, ids: Ids) -> object:
    return manager.terminate(ids["active"], operation_id="op").ok


def _assign(manager: GdapManager, ids: Ids) -> object:
    return manager.create_assignment(ids["active"], "g-2", [READER], operation_id="op").ok


def _update(manager: GdapManager, ids: Ids) -> object:
    roles = [READER, USERS]
    return manager.update_assignment(ids["active"], ids["assignment"], roles, operation_id="op").ok


def _delete(manager: GdapManager, ids: Ids) -> object:
    return manager.delete_assignment(ids["active"], ids["assignment"], operation_id="op").ok


def _relationships(sandbox: Sandbox) -> list[dict[str, Any]]:
    return list(sandbox.world.gdap["relationships"].values())


def _state(sandbox: Sandbox, active: str) -> object:
    return (
        sorted((r["displayName"], r["status"]) for r in _relationships(sandbox)),
        sorted(
            (a["accessContainer"]["accessContainerId"], len(a["accessDetails"]["unifiedRoles"]))
            for a in sandbox.world.gdap["assignments"][active].values()
        ),
    )


CHANGES = {
    "create": (_create, "POST", "/delegatedAdminRelationships"),
    "lock": (_lock, "POST", "/requests"),
    "terminate": (_terminate, "POST", "/requests"),
    "assign": (_assign, "POST", "/accessAssignments"),
    "update": (_update, "PATCH", ""),
    "delete": (_delete, "DELETE", ""),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_a_faulted_gdap_change_is_made_once(
    change: str, fault: str | Fault, tmp_path: Path
) -> None:
    run, method, ending = CHANGES[change]
    expected = _expected(change, tmp_path)
    sandbox, clock = Sandbox(seed=5), LedgerClock()
    wire = Wire(sandbox)
    ids = _setup(client_on(wire), sandbox)
    with open_ledger(tmp_path / "ledger.sqlite3", clock) as ledger:
        manager = GdapManager(client_on(wire), ledger)
        wire.next = (method, ending, fault)
        try:
            first: object = run(manager, ids)
        except CSPCommerceError:
            first = None  # the outcome is unknown: the step stays sent
        again = run(manager, ids)
        assert again and (first is None or first == again)
        (step,) = ledger.steps("op")
    sent = {
        s.request_id for s in wire.sent if s.method == method and s.request_id == step.request_id
    }
    assert sent == {step.request_id}
    assert _state(sandbox, ids["active"]) == expected  # the change, made once


def _setup(client: Any, sandbox: Sandbox) -> Ids:
    """An active relationship with one assignment, and one just created."""
    active = client.gdap.create_relationship("Active", "P730D", [READER, USERS])
    client.gdap.lock_for_approval(active.id)
    sandbox.approve_gdap(active.id, "t-1")
    created = client.gdap.create_relationship("Created", "P90D", [READER])
    assignment = client.gdap.create_access_assignment(active.id, "g-1", [READER])
    return {"active": active.id, "created": created.id, "assignment": assignment.id}


def _expected(change: str, tmp_path: Path) -> object:
    """The state after the change made once, with no fault."""
    sandbox, clock = Sandbox(seed=5), LedgerClock()
    wire = Wire(sandbox)
    ids = _setup(client_on(wire), sandbox)
    with open_ledger(tmp_path / "clean.sqlite3", clock) as ledger:
        assert CHANGES[change][0](GdapManager(client_on(wire), ledger), ids)
    return _state(sandbox, ids["active"])
