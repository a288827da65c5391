"""An upgrade (transition) through every fault of the wire and a killed process: the seats
move exactly once, every attempt under the step's one MS-RequestId.

A transition has no etag, so a resend that Partner Center no longer remembers could move seats
twice; the step reads the transition list before any resend, and a refused resend is read back
the same way (never guessed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
from exactly_once_world import (
    KillableLedger,
    Killed,
    LedgerClock,
    Wire,
    bought,
    client_on,
    existing_customer,
    open_ledger,
    subscriptions_of,
)

from csp_commerce.errors import CSPCommerceError
from csp_commerce.operations import SubscriptionManager
from csp_commerce.sandbox import Fault, Sandbox
from csp_commerce.store.ledger import StepStatus

if TYPE_CHECKING:
    from pathlib import Path

BASIC = "Microsoft 365 Business Basic"
PREMIUM = "Microsoft 365 Business Premium"
FAULTS = ["drop", "lose", Fault.THROTTLE, Fault.SERVER_ERROR, Fault.CONNECTION_RESET,
          Fault.TIMEOUT, Fault.COMMIT_THEN_DROP]  # fmt: skip


class LaggingWire(Wire):
    """A wire whose next transition listing is answered empty once (``lag``): Partner Center
    has made the transition but does not list it yet."""

    lag: bool = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.lag and request.method == "GET" and request.url.path.endswith("/transitions"):
            self.lag = False
            empty = {"totalCount": 0, "items": [], "links": {}, "attributes": {}}
            return httpx.Response(200, json=empty)
        return super().handle_request(request)


def _setup(sandbox: Sandbox, seats: int = 6) -> tuple[str, str, str]:
    tenant = existing_customer(sandbox)
    sub = bought(sandbox, tenant, BASIC, seats)
    return tenant, sub, sandbox.catalog.find(PREMIUM).catalog_item_id


def _transitions(sandbox: Sandbox, sub: str) -> list[dict[str, object]]:
    return list(sandbox.world.transitions.get(sub, []))


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_a_faulted_partial_upgrade_moves_the_seats_once(fault: str | Fault, tmp_path: Path) -> None:
    sandbox, clock = Sandbox(seed=5), LedgerClock()
    wire = Wire(sandbox)
    tenant, sub, premium = _setup(sandbox)
    with open_ledger(tmp_path / "ledger.sqlite3", clock) as ledger:
        manager = SubscriptionManager(client_on(wire), ledger, actor="ops")
        wire.next = ("POST", "/transitions", fault)
        try:
            first = manager.upgrade(tenant, sub, premium, 2, operation_id="up")
        except CSPCommerceError:
            first = None  # the outcome is unknown: the step stays sent
        again = manager.upgrade(tenant, sub, premium, 2, operation_id="up")
        assert again.ok, again.problems
        assert first is None or first.ok
        step = ledger.get_step("up", "change")
        assert step is not None and step.status is StepStatus.DONE
    (made,) = _transitions(sandbox, sub)
    assert made["toSubscriptionId"] == again.new_subscription_id
    assert subscriptions_of(sandbox, tenant)[sub]["quantity"] == 4
    assert {sent.request_id for sent in wire.to("POST", "/transitions")} == {step.request_id}


def test_a_lost_answer_partner_center_forgot_is_read_back_not_sent_twice(
    tmp_path: Path,
) -> None:
    sandbox, clock = Sandbox(seed=5), LedgerClock()
    wire = Wire(sandbox)
    tenant, sub, premium = _setup(sandbox)
    with open_ledger(tmp_path / "ledger.sqlite3", clock) as ledger:
        manager = SubscriptionManager(client_on(wire), ledger, actor="ops")
        wire.next = ("POST", "/transitions", "drop")  # made, and the answer lost
        with pytest.raises(CSPCommerceError):
            manager.upgrade(tenant, sub, premium, 2, operation_id="up")
        sandbox.world.requests.clear()  # Partner Center no longer knows the request id
        again = manager.upgrade(tenant, sub, premium, 2, operation_id="up")
        step = ledger.get_step("up", "change")
    assert again.ok and again.replayed
    assert step is not None and (step.result or {}).get("read_back") is True
    assert len(_transitions(sandbox, sub)) == 1  # 4 seats were left: a resend would move 2 more
    assert subscriptions_of(sandbox, tenant)[sub]["quantity"] == 4
    assert len(wire.to("POST", "/transitions")) == 1


def test_a_refused_resend_is_read_back_from_the_transition_list(tmp_path: Path) -> None:
    sandbox, clock = Sandbox(seed=5), LedgerClock()
    wire = LaggingWire(sandbox)
    tenant, sub, premium = _setup(sandbox)
    with open_ledger(tmp_path / "ledger.sqlite3", clock) as ledger:
        manager = SubscriptionManager(client_on(wire), ledger, actor="ops")
        wire.next = ("POST", "/transitions", "drop")  # every seat moved, the answer lost
        with pytest.raises(CSPCommerceError):
            manager.upgrade(tenant, sub, premium, operation_id="up")
        sandbox.world.requests.clear()
        wire.lag = True  # the list does not show it yet: the request is sent again
        again = manager.upgrade(tenant, sub, premium, operation_id="up")
        step = ledger.get_step("up", "change")
    assert again.ok, again.problems
    assert step is not None and (step.result or {}).get("read_back") is True
    posts = wire.to("POST", "/transitions")
    assert [p.request_id for p in posts] == [step.request_id] * 2  # resent; refused; read back
    assert len(_transitions(sandbox, sub)) == 1


def test_a_refused_resend_of_a_transition_never_made_fails_for_good(tmp_path: Path) -> None:
    sandbox, clock = Sandbox(seed=5), LedgerClock()
    wire = Wire(sandbox)
    tenant, sub, premium = _setup(sandbox)
    with open_ledger(tmp_path / "ledger.sqlite3", clock) as ledger:
        manager = SubscriptionManager(client_on(wire), ledger, actor="ops")
        wire.next = ("POST", "/transitions", "lose")  # never reached Partner Center
        with pytest.raises(CSPCommerceError):
            manager.upgrade(tenant, sub, premium, 2, operation_id="up")
        with sandbox.httpx_client(token="sandbox-user") as http:  # meanwhile, elsewhere
            path = f"/v1/customers/{tenant}/subscriptions/{sub}"
            current = http.get(path).json()
            assert http.patch(path, json={**current, "status": "suspended"}).is_success
        again = manager.upgrade(tenant, sub, premium, 2, operation_id="up")
        step = ledger.get_step("up", "change")
    assert [p.code for p in again.problems] == ["upgrade.refused"]
    assert step is not None and step.status is StepStatus.FAILED
    assert _transitions(sandbox, sub) == []


@pytest.mark.parametrize(
    "dies",
    [
        pytest.param({"kill_after_record": "change"}, id="before-the-post"),
        pytest.param({"kill_at_write": "finish_step(change)"}, id="after-the-post"),
    ],
)
def test_an_upgrade_killed_mid_step_is_finished_by_resume_once(
    dies: dict[str, str], tmp_path: Path
) -> None:
    sandbox, clock = Sandbox(seed=5), LedgerClock()
    wire = Wire(sandbox)
    tenant, sub, premium = _setup(sandbox)
    path = tmp_path / "ledger.sqlite3"
    killed = KillableLedger(path, clock=clock, **dies)
    with pytest.raises(Killed):
        SubscriptionManager(client_on(wire), killed, actor="ops").upgrade(
            tenant, sub, premium, 2, operation_id="up"
        )
    killed.close()
    clock.advance()  # the dead process's lock has timed out; its step is still sent
    with open_ledger(path, clock) as ledger:
        manager = SubscriptionManager(client_on(wire), ledger, actor="ops", lock_wait=0)
        (finished,) = manager.resume()
        step = ledger.get_step("up", "change")
    assert finished.ok and step is not None and step.status is StepStatus.DONE
    assert len(_transitions(sandbox, sub)) == 1
    assert subscriptions_of(sandbox, tenant)[sub]["quantity"] == 4
    assert {p.request_id for p in wire.to("POST", "/transitions")} == {step.request_id}
