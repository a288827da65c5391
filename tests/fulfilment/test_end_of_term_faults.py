"""A post-sale end-of-term change through every fault of the wire: it is made exactly once.

Each fault hits the PATCH that sets the end-of-term action (throttled, a 5xx, a reset, a
timeout, or applied with its answer lost); the caller asks again with the same operation id,
and the sandbox's audit log shows the change made once, with one request id.
"""

from __future__ import annotations

import pytest
from exactly_once_world import (
    LedgerClock,
    Wire,
    applied,
    bought,
    client_on,
    existing_customer,
    open_ledger,
    subscriptions_of,
)

from csp_commerce.errors import CSPCommerceError
from csp_commerce.models.end_of_term import EndOfTermAction, NextTerm
from csp_commerce.operations import SubscriptionManager
from csp_commerce.sandbox import Fault, Sandbox

STANDARD = "Microsoft 365 Business Standard"
FAULTS = ["drop", "lose", Fault.THROTTLE, Fault.SERVER_ERROR, Fault.CONNECTION_RESET,
          Fault.TIMEOUT, Fault.COMMIT_THEN_DROP]  # fmt: skip


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_a_faulted_end_of_term_change_is_made_once(fault: str | Fault, tmp_path: object) -> None:
    sandbox, clock = Sandbox(seed=5), LedgerClock()
    wire = Wire(sandbox)
    tenant = existing_customer(sandbox)
    sub = bought(sandbox, tenant, STANDARD, 6)
    before = applied(sandbox)["update_subscription"]
    next_term = NextTerm(quantity=9)
    with open_ledger(tmp_path / "ledger.sqlite3", clock) as ledger:  # type: ignore[operator]
        manager = SubscriptionManager(client_on(wire), ledger, actor="ops")
        wire.next = ("PATCH", sub, fault)
        try:
            first = manager.set_end_of_term(
                tenant, sub, EndOfTermAction.RENEW, next_term=next_term, operation_id="eot"
            )
        except CSPCommerceError:
            first = None  # the outcome is unknown: the step stays sent
        again = manager.set_end_of_term(
            tenant, sub, EndOfTermAction.RENEW, next_term=next_term, operation_id="eot"
        )
        assert again.ok, again.problems
        assert first is None or first.ok
        step = ledger.get_step("eot", "change")
        assert step is not None
    assert applied(sandbox)["update_subscription"] - before == 1
    assert {sent.request_id for sent in wire.to("PATCH", sub)} == {step.request_id}
    (action,) = subscriptions_of(sandbox, tenant)[sub]["scheduledActions"]
    assert action == {
        "scheduledType": "TermEnd",
        "actionType": "RenewToNewTerm",
        "instructions": {"quantity": 9},
    }
