"""Partner-to-partner transfers: created for the incoming partner, submitted by the current
one, each write once (a lost answer resent, a refused repeat read back), bad input a Problem."""

from __future__ import annotations

import pytest
from operations_world import World, make_world

from csp_commerce.errors import CSPCommerceError
from csp_commerce.operations import SubscriptionManager
from csp_commerce.operations.transfers import accept_transfer, create_transfer, list_transfers
from csp_commerce.store import Ledger
from csp_commerce.store.ledger import StepStatus

OTHER = "0a1b2c3d-0000-4000-8000-00000000beef"
BASIC = "Microsoft 365 Business Basic"


@pytest.fixture
def world() -> World:
    return make_world()


def _create(world: World, ledger: Ledger, customer: str, **kwargs: object) -> object:
    options: dict[str, object] = {
        "source_partner_tenant_id": OTHER,
        "source_partner_name": "Contoso Partner",
        "customer_email": "ada@contoso.com",
    }
    return create_transfer(world.client, ledger, customer, **{**options, **kwargs})  # type: ignore[arg-type]


def test_an_incoming_transfer_is_created_once_and_listed(world: World) -> None:
    ledger = Ledger(":memory:")
    customer = world.customer()
    made = create_transfer(
        world.client, ledger, customer, source_partner_tenant_id=OTHER,
        source_partner_name="Contoso Partner", customer_email="ada@contoso.com",
        operation_id="t-1",
    )  # fmt: skip
    assert made.ok and made.transfer is not None
    assert (made.transfer.status, made.transfer.transfer_type) == ("Active", 5)
    assert [t.id for t in list_transfers(world.client, customer)] == [made.transfer.id]
    before = len(world.transport.requests)
    again = create_transfer(
        world.client, ledger, customer, source_partner_tenant_id=OTHER,
        source_partner_name="Contoso Partner", customer_email="ada@contoso.com",
        operation_id="t-1",
    )  # fmt: skip
    assert again.replayed and again.transfer == made.transfer
    assert len(world.transport.requests) == before


@pytest.mark.parametrize("replayed", [True, False], ids=["replayed", "forgotten"])
def test_a_lost_create_is_finished_without_a_second_transfer(world: World, replayed: bool) -> None:
    ledger = Ledger(":memory:")
    customer = world.customer()
    world.transport.lose_next = ("POST", True)
    with pytest.raises(CSPCommerceError):
        _create(world, ledger, customer, operation_id="t-2")
    if not replayed:
        world.sandbox.world.requests.clear()  # the resend is refused: 409, one is active
    posts = len(world.transport.writes("POST"))
    made = _create(world, ledger, customer, operation_id="t-2")
    (step,) = ledger.steps("t-2")
    assert made.ok and step.status is StepStatus.DONE  # type: ignore[attr-defined]
    assert (step.result or {}).get("read_back", False) is not replayed
    assert [r.request_id for r in world.transport.writes("POST")[posts:]] == [step.request_id]
    assert len(list_transfers(world.client, customer)) == 1


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"source_partner_tenant_id": "not-a-guid"}, "transfer.source_partner_invalid"),
        ({"customer_email": "ada at contoso"}, "transfer.email_invalid"),
    ],
)
def test_bad_input_is_a_problem_before_any_request(
    world: World, options: dict[str, str], code: str
) -> None:
    ledger = Ledger(":memory:")
    customer = world.customer()
    before = len(world.transport.requests)
    refused = _create(world, ledger, customer, **options)
    assert [p.code for p in refused.problems] == [code]  # type: ignore[attr-defined]
    assert len(world.transport.requests) == before and ledger.steps() == []


def test_the_current_partner_submits_an_outgoing_transfer_once(world: World) -> None:
    ledger = Ledger(":memory:")
    customer = world.customer()
    whole = world.buy(customer, BASIC, 5)
    some = world.buy(customer, "Office 365 E3", 8)
    asked = world.sandbox.request_transfer(customer, OTHER)
    manager = SubscriptionManager(world.client, ledger, actor="ops", clock=world.clock)
    held = manager.upgrade(customer, whole, world.sandbox.catalog.find(
        "Microsoft 365 Business Standard").catalog_item_id)  # fmt: skip
    assert [p.code for p in held.problems] == ["upgrade.target_not_eligible"]  # transfer holds it

    world.transport.lose_next = ("PATCH", True)  # submitted, the answer lost
    with pytest.raises(CSPCommerceError):
        accept_transfer(
            world.client, ledger, customer, asked["id"], [(whole, None), (some, 3)],
            operation_id="t-3",
        )  # fmt: skip
    world.sandbox.world.requests.clear()  # the resend is refused: the transfer is complete
    done = accept_transfer(
        world.client, ledger, customer, asked["id"], [(whole, None), (some, 3)],
        operation_id="t-3",
    )  # fmt: skip
    assert done.ok and done.transfer is not None and done.transfer.status == "Complete"
    assert [(i.subscription_id, i.quantity) for i in done.transfer.line_items] == [
        (whole, 5), (some, 3),
    ]  # fmt: skip
    mine = {s.id: s.quantity for s in manager.list(customer)}
    assert whole not in mine and mine[some] == 5


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([], "transfer.no_lines"),
        ([("missing", None)], "subscription.not_found"),
        ([("SUB", 9)], "transfer.quantity_over_seats"),
    ],
)
def test_a_submit_with_bad_lines_is_a_problem(
    world: World, lines: list[tuple[str, int | None]], code: str
) -> None:
    ledger = Ledger(":memory:")
    customer = world.customer()
    sub = world.buy(customer, BASIC, 5)
    asked = world.sandbox.request_transfer(customer, OTHER)
    lines = [(sub if s == "SUB" else s, q) for s, q in lines]
    refused = accept_transfer(world.client, ledger, customer, asked["id"], lines)
    assert [p.code for p in refused.problems] == [code]
    assert world.transport.writes("PATCH") == [] and ledger.steps() == []


def test_an_incoming_transfer_cannot_be_submitted_here_and_a_complete_one_not_again(
    world: World,
) -> None:
    ledger = Ledger(":memory:")
    customer = world.customer()
    sub = world.buy(customer, BASIC, 5)
    incoming = _create(world, ledger, customer)
    transfer_id = incoming.transfer.id  # type: ignore[attr-defined]
    refused = accept_transfer(world.client, ledger, customer, transfer_id, [(sub, 1)])
    assert [p.code for p in refused.problems] == ["transfer.refused"]  # 403 from the current
    assert "2032" in refused.problems[0].message
    outgoing = world.sandbox.request_transfer(customer, OTHER)
    assert accept_transfer(world.client, ledger, customer, outgoing["id"], [(sub, 1)]).ok
    again = accept_transfer(world.client, ledger, customer, outgoing["id"], [(sub, 1)])
    assert [p.code for p in again.problems] == ["transfer.not_active"]
