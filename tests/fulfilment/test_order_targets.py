"""One world per target: a provisioner never acts on an order recorded against another
Partner Center (another cloud or partner tenant, or the sandbox)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fulfilment_world import acceptance, client_for, new_customer_order, offer, plan_for

from csp_commerce import Checkout, HookManager, OrderLine
from csp_commerce.errors import ProvisioningInterrupted, TargetMismatchError
from csp_commerce.fulfilment import target_of
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import Fault, Sandbox, SandboxCredential
from csp_commerce.store.ledger import Ledger, OrderStatus


class OtherPartnerCredential(SandboxCredential):
    """Sandbox tokens, but another partner tenant: another target."""

    tenant_id = "another-partner"


def other_client(sandbox: Sandbox) -> PartnerCenterClient:
    return PartnerCenterClient(
        OtherPartnerCredential(), http_client=sandbox.httpx_client(), sleep=lambda _: None
    )


def test_an_order_of_one_target_is_refused_and_not_resumed_by_another(tmp_path: Path) -> None:
    first, second = Sandbox(seed=3), Sandbox(seed=4)
    checkout = Checkout(hooks=HookManager(entry_points=False))
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    placing = Provisioner(client_for(first), ledger, checkout.hooks)
    e3 = offer(first, "Office 365 E3")
    placed = new_customer_order(1, OrderLine(id="1", offer=e3, quantity=2))
    outcome = placing.place(placed, plan_for(checkout, placed), mca=acceptance(placed))
    assert outcome.placed

    # A second order whose checkout answer is lost: left half placed, resumable.
    half = new_customer_order(2, OrderLine(id="1", offer=e3, quantity=2))
    original = first.app.exchange

    def exchange(method: str, path: str, *args: object, **kwargs: object) -> object:
        if method == "POST" and path.endswith("/checkout"):
            first.faults.force(Fault.COMMIT_THEN_DROP)
        return original(method, path, *args, **kwargs)  # type: ignore[arg-type]

    first.app.exchange = exchange  # type: ignore[method-assign]
    with pytest.raises(ProvisioningInterrupted):
        placing.place(half, plan_for(checkout, half), mca=acceptance(half))
    first.app.exchange = original  # type: ignore[method-assign]

    other = Provisioner(other_client(second), ledger, checkout.hooks)
    assert other.target != placing.target == target_of(client_for(first))

    for order_id in (placed.id, half.id):
        with pytest.raises(TargetMismatchError, match=order_id) as refused:
            other.recorded(order_id)
        assert placing.target in str(refused.value) and other.target in str(refused.value)
    assert other.resume() == []
    assert second.world.customers == {}  # nothing reached the other Partner Center
    assert ledger.order(half.id).status is OrderStatus.PLACING  # type: ignore[union-attr]

    # Its own target's provisioner still finishes it.
    (resumed,) = placing.resume()
    assert resumed.placed and ledger.order(half.id).status is OrderStatus.PLACED  # type: ignore[union-attr]
