"""The webhook registration changed through the step engine: once, and finished after a loss."""

from __future__ import annotations

import pytest
from operations_world import World, make_world

from csp_commerce.errors import CSPCommerceError, StepFailed
from csp_commerce.operations.webhook_registration import register_webhook
from csp_commerce.store import Ledger
from csp_commerce.store.ledger import StepStatus

HOOK = "https://hooks.example/csp"


@pytest.fixture
def world() -> World:
    return make_world()


def test_the_first_call_registers_and_the_next_updates(world: World) -> None:
    ledger = Ledger(":memory:")
    made, created = register_webhook(world.client, ledger, HOOK, ["test-created"])
    assert created and made.webhook_url == HOOK
    _changed, created = register_webhook(
        world.client, ledger, HOOK + "/v2", ["test-created", "invoice-ready"]
    )
    assert not created
    assert world.client.webhooks.get().webhook_url == HOOK + "/v2"
    assert [s.status for s in ledger.steps()] == [StepStatus.DONE, StepStatus.DONE]


@pytest.mark.parametrize("replayed", [True, False], ids=["replayed", "forgotten"])
def test_a_lost_registration_is_finished_by_the_same_operation_without_a_second_one(
    replayed: bool, world: World
) -> None:
    ledger = Ledger(":memory:")
    world.transport.lose_next = ("POST", True)  # registered, then the answer is lost
    with pytest.raises(CSPCommerceError):
        register_webhook(world.client, ledger, HOOK, ["test-created"], operation_id="hook-1")
    (step,) = ledger.steps("hook-1")
    assert step.status is StepStatus.SENT
    if not replayed:
        world.sandbox.world.requests.clear()  # the resend is refused: 409, already registered
    posts = [r for r in world.transport.requests if r.method == "POST"]

    made, created = register_webhook(
        world.client, ledger, HOOK, ["test-created"], operation_id="hook-1"
    )

    assert made.webhook_url == HOOK and created
    (step,) = ledger.steps("hook-1")
    assert step.status is StepStatus.DONE
    resent = [r for r in world.transport.requests if r.method == "POST"][len(posts) :]
    assert [r.request_id for r in resent] == [step.request_id]  # the recorded request id
    before = len(world.transport.requests)
    register_webhook(world.client, ledger, HOOK, ["test-created"], operation_id="hook-1")
    assert len(world.transport.requests) == before  # recorded: nothing sent again


def test_a_refused_registration_fails_for_good(world: World) -> None:
    ledger = Ledger(":memory:")
    with pytest.raises(StepFailed):
        register_webhook(world.client, ledger, "http://hooks.example/plain", ["test-created"])
    (step,) = ledger.steps()
    assert step.status is StepStatus.FAILED
