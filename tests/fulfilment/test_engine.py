"""Unit tests of the step engine against a fake client and a real (temporary) ledger."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from csp_commerce.errors import (
    APIConnectionError,
    BadRequestError,
    CartAlreadySubmittedError,
    CartBusyError,
    InternalServerError,
    LeaseLostError,
    OutcomeUnknown,
    RateLimitError,
    StepFailed,
    TargetMismatchError,
    TokenAcquisitionError,
)
from csp_commerce.fulfilment.engine import StepEngine, target_of
from csp_commerce.models import FailureDetail
from csp_commerce.store.ledger import Ledger, Step, StepStatus

API = "https://api.partnercenter.microsoft.com"


def fake_client(tenant_id: str | None = "partner-a", api_base: str = API) -> Any:
    return SimpleNamespace(
        credential=SimpleNamespace(tenant_id=tenant_id),
        endpoints=SimpleNamespace(api_base=api_base),
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(store_url: Callable[[str], str], clock: Clock) -> Ledger:
    """The engine's ledger, on each engine (SQLite and PostgreSQL)."""
    return Ledger(store_url("ledger"), clock=clock)


@pytest.fixture
def engine(ledger: Ledger) -> StepEngine:
    return StepEngine(fake_client(), ledger, lease_seconds=60, lock_wait=0)


class Sender:
    """A ``send`` that records what it was sent with and answers from a script: an exception
    to raise, or a result to return."""

    def __init__(self, *answers: Exception | dict[str, Any]) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, dict[str, Any], int]] = []

    def __call__(self, step: Step) -> dict[str, Any]:
        self.sent.append((step.request_id, dict(step.intent), step.attempts))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class Planner:
    """An intent planner counting its calls."""

    def __init__(self, intent: dict[str, Any]) -> None:
        self.intent = intent
        self.calls = 0

    def __call__(self) -> dict[str, Any]:
        self.calls += 1
        return dict(self.intent)


def never(*_: object) -> Any:
    raise AssertionError("must not be called")


def refused(code: int = 800002) -> BadRequestError:
    return BadRequestError(
        "refused", status_code=400, code=code, request_id="rid", description="not allowed"
    )


def lost() -> APIConnectionError:
    return APIConnectionError("connection reset", request_id="rid")


# -- recording before sending ---------------------------------------------------------------


def test_the_intent_and_request_id_are_recorded_before_the_request(
    engine: StepEngine, ledger: Ledger
) -> None:
    seen: list[Step | None] = []

    def send(step: Step) -> dict[str, Any]:
        seen.append(ledger.get_step("op1", "seats"))
        return {"quantity": 5}

    result = engine.step(
        "op1",
        "seats",
        "set_quantity",
        intent=Planner({"quantity": 5}),
        send=send,
        context={"customer_id": "c1", "subscription_id": "s1", "actor": "alice"},
    )
    assert result == {"quantity": 5}
    recorded = seen[0]
    assert recorded is not None  # written before send ran
    assert (recorded.status, recorded.intent, recorded.attempts) == (
        StepStatus.SENT,
        {"quantity": 5},
        1,
    )
    assert (recorded.kind, recorded.target) == ("set_quantity", engine.target)
    assert (recorded.customer_id, recorded.subscription_id, recorded.actor) == (
        "c1",
        "s1",
        "alice",
    )
    done = ledger.get_step("op1", "seats")
    assert done is not None
    assert (done.status, done.result, done.request_id) == (
        StepStatus.DONE,
        {"quantity": 5},
        recorded.request_id,
    )


def test_send_gets_the_recorded_step(engine: StepEngine, ledger: Ledger) -> None:
    send = Sender({"ok": True})
    engine.step("op1", "a", "k", intent={"n": 1}, send=send)
    recorded = ledger.get_step("op1", "a")
    assert recorded is not None
    assert send.sent == [(recorded.request_id, {"n": 1}, 1)]


def test_a_done_step_returns_its_result_without_planning_or_sending(engine: StepEngine) -> None:
    plan = Planner({"n": 1})
    assert engine.step("op1", "a", "k", intent=plan, send=Sender({"id": "x"})) == {"id": "x"}
    assert engine.step("op1", "a", "k", intent=never, send=never) == {"id": "x"}
    assert plan.calls == 1


@pytest.mark.parametrize(
    "unknown",
    [
        APIConnectionError("connection reset", request_id="rid"),
        RateLimitError("throttled", status_code=429, request_id="rid"),
        InternalServerError("oops", status_code=500, request_id="rid"),
        CartBusyError("busy", status_code=409, request_id="rid"),
        TokenAcquisitionError("no token"),
        OutcomeUnknown("not visible yet"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_an_unknown_outcome_leaves_the_step_sent_and_the_next_call_resends_it_unchanged(
    engine: StepEngine, ledger: Ledger, unknown: Exception
) -> None:
    plan = Planner({"quantity": 7})
    send = Sender(unknown, {"quantity": 7})
    with pytest.raises(type(unknown)):
        engine.step("op1", "seats", "set_quantity", intent=plan, send=send)
    after_crash = ledger.get_step("op1", "seats")
    assert after_crash is not None
    assert (after_crash.status, after_crash.attempts) == (StepStatus.SENT, 1)

    # the next call (another process, say) would plan something else: it must not plan at all
    result = engine.step("op1", "seats", "set_quantity", intent=never, send=send)
    assert result == {"quantity": 7}
    assert plan.calls == 1
    (first_id, first_intent, _), (second_id, second_intent, attempts) = send.sent
    assert second_id == first_id == after_crash.request_id
    assert second_intent == first_intent == {"quantity": 7}
    assert attempts == 2


def test_a_resend_uses_the_recorded_intent_not_a_new_plan(
    store_url: Callable[[str], str], engine: StepEngine, ledger: Ledger
) -> None:
    send = Sender(lost())
    with pytest.raises(APIConnectionError):
        engine.step("op1", "seats", "set_quantity", intent={"quantity": 7}, send=send)
    # a second engine over the same ledger file, given another intent
    with Ledger(store_url("ledger")) as reopened:
        other = StepEngine(fake_client(), reopened)
        resend = Sender({"quantity": 7})
        other.step("op1", "seats", "set_quantity", intent={"quantity": 99}, send=resend)
    assert resend.sent == [(send.sent[0][0], {"quantity": 7}, 2)]


# -- definite refusals ----------------------------------------------------------------------


def test_a_definite_refusal_fails_the_step_for_good(engine: StepEngine, ledger: Ledger) -> None:
    send = Sender(refused(800002))
    with pytest.raises(StepFailed) as raised:
        engine.step("op1", "line:3", "purchase", intent={"n": 1}, send=send)
    detail = raised.value.detail
    assert isinstance(detail, FailureDetail)
    assert (detail.code, detail.error_type, detail.line_id, detail.request_id) == (
        "800002",
        "BadRequestError",
        "3",
        "rid",
    )
    failed = ledger.get_step("op1", "line:3")
    assert failed is not None
    assert failed.status is StepStatus.FAILED
    assert failed.error is not None and failed.error["code"] == "800002"

    with pytest.raises(StepFailed) as again:  # later calls: the same failure, nothing sent
        engine.step("op1", "line:3", "purchase", intent=never, send=never)
    assert again.value.detail == detail
    still = ledger.get_step("op1", "line:3")
    assert still is not None and still.attempts == 1


def test_a_step_failed_by_send_keeps_what_it_did(engine: StepEngine, ledger: Ledger) -> None:
    partial = StepFailed(
        FailureDetail(message="line 2 refused", error_type="OrderError", code="1"),
        {"lines": {"1": {"subscription_id": "s1"}}},
    )
    with pytest.raises(StepFailed):
        engine.step("op1", "cart", "purchase", intent={}, send=Sender(partial))
    failed = ledger.get_step("op1", "cart")
    assert failed is not None
    assert failed.status is StepStatus.FAILED
    assert failed.result == {"lines": {"1": {"subscription_id": "s1"}}}
    with pytest.raises(StepFailed) as again:
        engine.step("op1", "cart", "purchase", intent={}, send=never)
    assert again.value.result == {"lines": {"1": {"subscription_id": "s1"}}}
    assert again.value.detail.message == "line 2 refused"


def test_a_refusal_while_planning_fails_without_recording_anything(
    engine: StepEngine, ledger: Ledger
) -> None:
    def plan() -> dict[str, Any]:
        raise refused(404)

    with pytest.raises(StepFailed) as raised:
        engine.step("op1", "seats", "set_quantity", intent=plan, send=never)
    assert raised.value.detail.code == "404"
    assert ledger.steps() == []  # nothing recorded, so nothing is left sent


def test_an_unknown_outcome_while_planning_records_nothing_either(
    engine: StepEngine, ledger: Ledger
) -> None:
    def plan() -> dict[str, Any]:
        raise lost()

    with pytest.raises(APIConnectionError):
        engine.step("op1", "seats", "set_quantity", intent=plan, send=never)
    assert ledger.steps() == []


# -- refusals an earlier attempt explains ---------------------------------------------------


def submitted() -> CartAlreadySubmittedError:
    return CartAlreadySubmittedError(
        "already submitted", status_code=400, code=800065, request_id="rid"
    )


def test_an_explained_refusal_of_a_first_attempt_is_a_failure(
    engine: StepEngine, ledger: Ledger
) -> None:
    with pytest.raises(StepFailed):
        engine.step(
            "op1",
            "cart",
            "purchase",
            intent={},
            send=Sender(submitted()),
            read_back=never,
            explained=(CartAlreadySubmittedError,),
        )
    failed = ledger.get_step("op1", "cart")
    assert failed is not None and failed.status is StepStatus.FAILED


def test_an_explained_refusal_of_a_repeat_is_read_back(engine: StepEngine, ledger: Ledger) -> None:
    send = Sender(lost(), submitted(), submitted())
    found: list[dict[str, Any] | None] = [None, {"lines": {"1": {"subscription_id": "s1"}}}]
    read: list[str] = []

    def read_back(step: Step) -> dict[str, Any] | None:
        read.append(step.request_id)
        return found.pop(0)

    def step() -> dict[str, Any]:
        return engine.step(
            "op1",
            "cart",
            "purchase",
            intent={"lines": ["1"]},
            send=send,
            read_back=read_back,
            explained=(CartAlreadySubmittedError,),
        )

    with pytest.raises(APIConnectionError):
        step()
    with pytest.raises(OutcomeUnknown):  # not visible yet: still unknown, still sent
        step()
    unknown = ledger.get_step("op1", "cart")
    assert unknown is not None
    assert (unknown.status, unknown.attempts) == (StepStatus.SENT, 2)

    result = step()
    assert result == {"lines": {"1": {"subscription_id": "s1"}}, "read_back": True}
    done = ledger.get_step("op1", "cart")
    assert done is not None
    assert (done.status, done.result) == (StepStatus.DONE, result)
    assert read == [done.request_id, done.request_id]
    assert {request_id for request_id, _, _ in send.sent} == {done.request_id}


def test_an_explained_refusal_of_a_repeat_without_read_back_is_a_failure(
    engine: StepEngine, ledger: Ledger
) -> None:
    send = Sender(lost(), submitted())
    explained = (CartAlreadySubmittedError,)
    with pytest.raises(APIConnectionError):
        engine.step("op1", "cart", "purchase", intent={}, send=send, explained=explained)
    with pytest.raises(StepFailed):
        engine.step("op1", "cart", "purchase", intent={}, send=send, explained=explained)
    failed = ledger.get_step("op1", "cart")
    assert failed is not None and failed.status is StepStatus.FAILED


def test_a_refusal_not_explained_is_never_read_back(engine: StepEngine, ledger: Ledger) -> None:
    send = Sender(lost(), refused())
    kwargs: dict[str, Any] = {
        "intent": {},
        "send": send,
        "read_back": never,
        "explained": (CartAlreadySubmittedError,),
    }
    with pytest.raises(APIConnectionError):
        engine.step("op1", "cart", "purchase", **kwargs)
    with pytest.raises(StepFailed):
        engine.step("op1", "cart", "purchase", **kwargs)
    failed = ledger.get_step("op1", "cart")
    assert failed is not None and failed.status is StepStatus.FAILED


# -- targets --------------------------------------------------------------------------------


def test_a_step_recorded_against_another_partner_center_is_not_touched(
    engine: StepEngine, ledger: Ledger
) -> None:
    with pytest.raises(APIConnectionError):
        engine.step("op1", "seats", "set_quantity", intent={"quantity": 3}, send=Sender(lost()))
    other = StepEngine(fake_client(tenant_id="partner-b"), ledger)
    with pytest.raises(TargetMismatchError):
        other.step("op1", "seats", "set_quantity", intent=never, send=never)
    sandbox = StepEngine(fake_client(tenant_id="sandbox", api_base="http://127.0.0.1:8080"), ledger)
    with pytest.raises(TargetMismatchError):
        sandbox.step("op1", "seats", "set_quantity", intent=never, send=never)
    untouched = ledger.get_step("op1", "seats")
    assert untouched is not None
    assert (untouched.status, untouched.attempts) == (StepStatus.SENT, 1)


def test_a_done_step_of_another_partner_center_is_refused_too(
    engine: StepEngine, ledger: Ledger
) -> None:
    engine.step("op1", "a", "k", intent={}, send=Sender({"ok": True}))
    other = StepEngine(fake_client(tenant_id="partner-b"), ledger)
    with pytest.raises(TargetMismatchError):
        other.step("op1", "a", "k", intent={}, send=never)


def test_the_target_is_the_base_url_and_the_partner_tenant(ledger: Ledger) -> None:
    assert target_of(fake_client()) == f"{API}|partner-a"
    assert target_of(fake_client(tenant_id=None)) == f"{API}|unknown-tenant"
    assert target_of(fake_client(api_base="https://api.partnercenter.microsoftonline.cn")) != (
        target_of(fake_client())
    )
    engine = StepEngine(fake_client(), ledger)
    engine.with_client(fake_client())  # the same Partner Center: fine
    with pytest.raises(TargetMismatchError):
        engine.with_client(fake_client(tenant_id="partner-b"))


# -- order leases ---------------------------------------------------------------------------


def test_a_step_of_an_order_whose_lease_was_lost_is_not_sent(
    engine: StepEngine, ledger: Ledger, clock: Clock
) -> None:
    ledger.record_order("o1", "cust", "{}", "{}", target=engine.target, owner="worker-a")
    engine.step("o1", "a", "k", intent={}, send=Sender({}), owner="worker-a")
    clock.now += 61
    assert ledger.start_order("o1", "worker-b")
    with pytest.raises(LeaseLostError):
        engine.step("o1", "b", "k", intent={}, send=never, owner="worker-a")
    assert ledger.get_step("o1", "b") is None


# -- subscription locks ---------------------------------------------------------------------


def test_locked_gives_up_for_now_while_another_operation_holds_the_subscription(
    engine: StepEngine, ledger: Ledger
) -> None:
    with engine.locked("s1", "op-a") as name:
        assert ledger.lock_holder(name) == "op-a"
        with pytest.raises(OutcomeUnknown, match="op-a"), engine.locked("s1", "op-b"):
            pytest.fail("op-b must not get the lock")
        assert ledger.lock_holder(name) == "op-a"  # op-b giving up did not free op-a's lock
    assert ledger.lock_holder(name) is None  # leaving the block let it go
    with engine.locked("s1", "op-b"):
        pass


def test_locked_waits_for_the_lock(ledger: Ledger) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # op-a lets go while op-b waits
        waits.append(seconds)
        ledger.unlock(name, "op-a")

    engine = StepEngine(fake_client(), ledger, lock_wait=60, sleep=sleep)
    with engine.locked("s1", "op-a") as name:
        pass
    assert ledger.lock(name, "op-a")
    with engine.locked("s1", "op-b"):
        assert ledger.lock_holder(name) == "op-b"
    assert len(waits) == 1


def test_the_lock_is_kept_while_a_steps_outcome_is_unknown_and_released_when_done(
    engine: StepEngine, ledger: Ledger, clock: Clock
) -> None:
    send = Sender(lost(), {"quantity": 5})
    with pytest.raises(APIConnectionError), engine.locked("s1", "op-a") as name:
        engine.step(
            "op-a", "seats", "set_quantity", intent={"quantity": 5}, send=send, lock_name=name
        )
    clock.now += 10_000  # far past the lock's time
    assert ledger.lock_holder(name) == "op-a"
    with pytest.raises(OutcomeUnknown), engine.locked("s1", "op-b"):
        pytest.fail("op-b must not get the lock while op-a's step is unknown")

    with engine.locked("s1", "op-a") as again:  # op-a resumes: it may, it holds the lock
        engine.step("op-a", "seats", "set_quantity", intent=never, send=send, lock_name=again)
        # its step is done: the lock is free even before op-a leaves the block
        assert ledger.lock_holder(name) is None
    with engine.locked("s1", "op-b"):
        pass


def test_the_lock_is_released_after_a_definite_failure(engine: StepEngine, ledger: Ledger) -> None:
    with pytest.raises(StepFailed), engine.locked("s1", "op-a") as name:
        engine.step(
            "op-a", "seats", "set_quantity", intent={}, send=Sender(refused()), lock_name=name
        )
    assert ledger.lock_holder(name) is None


def test_locks_are_per_partner_center(ledger: Ledger) -> None:
    a = StepEngine(fake_client(), ledger, lock_wait=0)
    b = StepEngine(fake_client(tenant_id="partner-b"), ledger, lock_wait=0)
    with a.locked("s1", "op-a"), b.locked("s1", "op-b"):
        pass
