from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from csp_commerce.errors import LeaseLostError
from csp_commerce.store.ledger import Ledger, OrderStatus, StepStatus

#: The Partner Center every record below is made against, and another one.
T = "https://api.partnercenter.microsoft.com|partner-a"
OTHER = "https://api.partnercenter.microsoft.com|partner-b"


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(store_url: Callable[[str], str], clock: Clock) -> Iterator[Ledger]:
    """A ledger on each engine (SQLite and PostgreSQL)."""
    with Ledger(store_url("ledger"), clock=clock) as opened:
        yield opened


# -- orders ---------------------------------------------------------------------------------


def test_an_order_is_recorded_once(ledger: Ledger) -> None:
    first, new = ledger.record_order("o1", "cust", '{"a": 1}', "{}", target=T)
    again, new_again = ledger.record_order("o1", "cust", '{"a": 2}', "{}", target=OTHER)
    assert new and not new_again
    assert again.order_json == '{"a": 1}'
    assert again.target == T
    assert again.correlation_id == first.correlation_id
    assert [o.order_id for o in ledger.orders()] == ["o1"]


def test_a_new_order_with_an_owner_is_taken_and_placing_in_the_same_write(
    ledger: Ledger,
) -> None:
    record, _ = ledger.record_order("o1", "cust", "{}", "{}", target=T, owner="worker-a")
    assert record.status is OrderStatus.PLACING
    assert not ledger.start_order("o1", "worker-b")  # worker-a holds it
    pending, _ = ledger.record_order("o2", "cust", "{}", "{}", target=T)
    assert pending.status is OrderStatus.PENDING


def test_step_outcomes_and_unfinished_orders_of_one_target(ledger: Ledger) -> None:
    ledger.record_order("o1", "cust", "{}", "{}", target=T)
    ledger.record_order("o2", "cust", "{}", "{}", target=T)
    ledger.record_order("o3", "cust", "{}", "{}", target=OTHER)
    ledger.begin_step("o1", "a", "cart", {}, target=T)
    ledger.finish_step("o1", "a", StepStatus.DONE, result={"subscription_id": "s1"})
    ledger.end_order("o1", "worker", OrderStatus.PLACED, {"subscriptions": ["s1"]})
    done = ledger.get_step("o1", "a")
    assert done is not None
    assert (done.status, done.result) == (StepStatus.DONE, {"subscription_id": "s1"})
    assert [o.order_id for o in ledger.unfinished(T)] == ["o2"]  # o3 is another target's
    assert [o.order_id for o in ledger.unfinished(OTHER)] == ["o3"]
    assert [o.order_id for o in ledger.unfinished()] == ["o2", "o3"]
    assert [o.order_id for o in ledger.orders(target=T)] == ["o1", "o2"]
    placed = ledger.order("o1")
    assert placed is not None and placed.outcome == {"subscriptions": ["s1"]}
    assert [o.order_id for o in ledger.unnotified(T)] == ["o1"]
    assert ledger.unnotified(OTHER) == []


def test_notification_is_marked_once(ledger: Ledger) -> None:
    ledger.record_order("o1", "cust", "{}", "{}", target=T)
    assert ledger.mark_notified("o1") is True
    assert ledger.mark_notified("o1") is False


def test_end_order_records_the_outcome_and_frees_the_lease(ledger: Ledger) -> None:
    ledger.record_order("o1", "cust", "{}", "{}", target=T)
    assert ledger.start_order("o1", "worker-a")
    ledger.end_order("o1", "worker-a", OrderStatus.FAILED, {"why": "x"})
    ended = ledger.order("o1")
    assert ended is not None
    assert (ended.status, ended.outcome, ended.notified) == (
        OrderStatus.FAILED,
        {"why": "x"},
        False,
    )
    owner = ledger._db.execute("SELECT lease_owner FROM orders WHERE order_id = 'o1'").fetchone()
    assert owner[0] is None  # the lease was given back
    assert not ledger.start_order("o1", "worker-b")  # and a finished order is never retaken


def test_end_order_with_notified_records_both_in_one_write(tmp_path: Path, clock: Clock) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite3", clock=clock)  # SQLite's trace shows the writes
    ledger.record_order("o1", "cust", "{}", "{}", target=T)
    assert ledger.start_order("o1", "worker-a")
    statements: list[str] = []
    ledger._db._db.set_trace_callback(statements.append)
    ledger.end_order("o1", "worker-a", OrderStatus.PLACED, {"ok": True}, notified=True)
    ledger._db._db.set_trace_callback(None)
    # one statement (autocommit: its own transaction) ends the order and marks it notified
    assert len(statements) == 1
    assert statements[0].startswith("UPDATE orders") and "notified" in statements[0]
    ended = ledger.order("o1")
    assert ended is not None
    assert (ended.status, ended.notified) == (OrderStatus.PLACED, True)
    assert ledger.unnotified() == []
    assert ledger.mark_notified("o1") is False  # already told: never told twice


def test_end_order_by_a_worker_that_lost_the_lease_changes_nothing(
    ledger: Ledger, clock: Clock
) -> None:
    ledger.record_order("o1", "cust", "{}", "{}", target=T)
    assert ledger.start_order("o1", "worker-a", seconds=60)
    clock.now += 61
    assert ledger.start_order("o1", "worker-b", seconds=60)
    ledger.end_order("o1", "worker-a", OrderStatus.FAILED, {"why": "x"})
    still = ledger.order("o1")
    assert still is not None and still.status is OrderStatus.PLACING


# -- leases ---------------------------------------------------------------------------------


def test_lease_keeps_a_second_owner_out_until_it_expires(ledger: Ledger, clock: Clock) -> None:
    ledger.record_order("o1", "cust", "{}", "{}", target=T)
    assert ledger.start_order("o1", "worker-a", seconds=60)
    placing = ledger.order("o1")
    assert placing is not None
    assert placing.status is OrderStatus.PLACING
    assert not ledger.start_order("o1", "worker-b", seconds=60)
    clock.now += 61
    assert ledger.start_order("o1", "worker-b", seconds=60)
    assert not ledger.renew("o1", "worker-a")  # worker-a learns it lost the order
    ledger.release("o1", "worker-b")
    assert ledger.start_order("o1", "worker-a", seconds=60)


def test_a_step_begun_by_a_worker_that_lost_its_lease_is_refused(
    ledger: Ledger, clock: Clock
) -> None:
    ledger.record_order("o1", "cust", "{}", "{}", target=T)
    assert ledger.start_order("o1", "worker-a", seconds=60)
    ledger.begin_step("o1", "a", "cart", {}, target=T, owner="worker-a", lease_seconds=60)
    clock.now += 100  # worker-a stalled past its lease; worker-b takes the order over
    assert ledger.start_order("o1", "worker-b", seconds=60)
    with pytest.raises(LeaseLostError):
        ledger.begin_step("o1", "b", "cart", {}, target=T, owner="worker-a")
    assert ledger.get_step("o1", "b") is None
    with pytest.raises(LeaseLostError):  # nor may it resend a step it had begun
        ledger.begin_step("o1", "a", "cart", {}, target=T, owner="worker-a")
    a = ledger.get_step("o1", "a")
    assert a is not None and a.attempts == 1


def test_each_step_extends_the_lease(ledger: Ledger, clock: Clock) -> None:
    ledger.record_order("o1", "cust", "{}", "{}", target=T)
    assert ledger.start_order("o1", "worker-a", seconds=60)
    clock.now += 50
    ledger.begin_step("o1", "a", "cart", {}, target=T, owner="worker-a", lease_seconds=60)
    clock.now += 50  # 100 s after the start, but 50 s after the last step
    assert not ledger.start_order("o1", "worker-b", seconds=60)
    clock.now += 11  # 61 s after the last step
    assert ledger.start_order("o1", "worker-b", seconds=60)


# -- steps ----------------------------------------------------------------------------------


def test_a_step_request_id_is_durable_across_connections(
    store_url: Callable[[str], str],
) -> None:
    path = store_url("ledger")
    with Ledger(path) as ledger:
        ledger.record_order("o1", "cust", "{}", "{}", target=T)
        step = ledger.begin_step("o1", "line-1", "cart", {"quantity": 3}, target=T)
    with Ledger(path) as reopened:
        recorded = reopened.get_step("o1", "line-1")
        again = reopened.begin_step("o1", "line-1", "cart", {"quantity": 99}, target=T)
    assert recorded is not None
    assert (recorded.request_id, recorded.status) == (step.request_id, StepStatus.SENT)
    assert again.request_id == step.request_id
    assert again.intent == {"quantity": 3}
    assert again.status is StepStatus.SENT
    assert again.attempts == 2


def test_a_new_step_is_recorded_sent_with_its_intent_target_and_context(ledger: Ledger) -> None:
    assert ledger.lock("subscription:s1", "op1")
    step = ledger.begin_step(
        "op1",
        "seats",
        "set_quantity",
        {"changes": {"quantity": 5}},
        target=T,
        customer_id="c1",
        subscription_id="s1",
        actor="alice",
        lock_name="subscription:s1",
    )
    assert step.status is StepStatus.SENT
    assert step.attempts == 1
    assert (step.kind, step.target, step.intent) == (
        "set_quantity",
        T,
        {"changes": {"quantity": 5}},
    )
    assert (step.customer_id, step.subscription_id, step.actor, step.lock_name) == (
        "c1",
        "s1",
        "alice",
        "subscription:s1",
    )
    assert ledger.get_step("op1", "seats") == step  # what was returned is what was written
    assert ledger.sent_steps(T) == [step]
    assert ledger.sent_steps(T, kinds=("purchase",)) == []
    assert ledger.sent_steps(OTHER) == []


def test_request_ids_differ_between_steps(ledger: Ledger) -> None:
    a = ledger.begin_step("o1", "a", "cart", {}, target=T)
    b = ledger.begin_step("o1", "b", "cart", {}, target=T)
    c = ledger.begin_step("o2", "a", "cart", {}, target=T)  # same key, another operation
    assert len({a.request_id, b.request_id, c.request_id}) == 3
    assert (a.seq, b.seq, c.seq) == (0, 1, 0)
    assert [s.key for s in ledger.steps("o1")] == ["a", "b"]


def test_request_ids_are_unique_in_the_schema(ledger: Ledger) -> None:
    step = ledger.begin_step("o1", "a", "cart", {}, target=T)
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
        ledger._db.execute(
            "INSERT INTO steps (operation_id, key, seq, kind, target, request_id, status,"
            " intent_json, created_at, updated_at)"
            " VALUES ('o1', 'b', 1, 'cart', ?, ?, 'sent', '{}', 0, 0)",
            (T, step.request_id),
        )


def test_begin_step_on_a_sent_step_keeps_its_request_id_and_intent_and_counts_the_attempt(
    ledger: Ledger,
) -> None:
    first = ledger.begin_step("o1", "tenant", "create_customer", {"domain": "a"}, target=T)
    again = ledger.begin_step("o1", "tenant", "create_customer", {"domain": "other"}, target=T)
    assert again.status is StepStatus.SENT
    assert again.intent == {"domain": "a"}
    assert again.request_id == first.request_id
    assert (first.attempts, again.attempts) == (1, 2)
    third = ledger.begin_step("o1", "tenant", "create_customer", {}, target=T)
    assert third.attempts == 3


def test_begin_step_on_a_finished_step_returns_it_untouched(ledger: Ledger, clock: Clock) -> None:
    first = ledger.begin_step("o1", "tenant", "create_customer", {"domain": "a"}, target=T)
    ledger.finish_step("o1", "tenant", StepStatus.DONE, result={"tenant_id": "t"})
    finished = ledger.get_step("o1", "tenant")
    clock.now += 10
    done = ledger.begin_step("o1", "tenant", "create_customer", {"domain": "b"}, target=T)
    assert done == finished
    assert (done.status, done.attempts, done.result) == (StepStatus.DONE, 1, {"tenant_id": "t"})
    assert done.request_id == first.request_id

    ledger.begin_step("o1", "cart", "purchase", {}, target=T)
    ledger.finish_step("o1", "cart", StepStatus.FAILED, error={"message": "no"})
    failed = ledger.get_step("o1", "cart")
    assert ledger.begin_step("o1", "cart", "purchase", {}, target=T) == failed
    assert failed is not None and failed.status is StepStatus.FAILED


def test_finish_step_keeps_a_partial_result_with_the_failure(ledger: Ledger) -> None:
    ledger.begin_step("o1", "cart", "purchase", {}, target=T)
    ledger.finish_step(
        "o1", "cart", StepStatus.FAILED, result={"lines": {"1": {}}}, error={"message": "no"}
    )
    failed = ledger.get_step("o1", "cart")
    assert failed is not None
    assert (failed.status, failed.result, failed.error) == (
        StepStatus.FAILED,
        {"lines": {"1": {}}},
        {"message": "no"},
    )
    assert ledger.sent_steps(T) == []


def test_note_step_merges_into_the_recorded_intent(ledger: Ledger) -> None:
    first = ledger.begin_step("o1", "cart", "purchase", {"lines": ["1", "2"]}, target=T)
    ledger.note_step("o1", "cart", {"cart_id": "cart-1"})
    again = ledger.begin_step("o1", "cart", "purchase", {"lines": ["9"]}, target=T)
    assert again.intent == {"lines": ["1", "2"], "cart_id": "cart-1"}
    assert again.request_id == first.request_id
    ledger.note_step("o1", "cart", {"cart_id": "cart-2"})  # a later note wins for its keys
    noted = ledger.get_step("o1", "cart")
    assert noted is not None and noted.intent == {"lines": ["1", "2"], "cart_id": "cart-2"}


def test_subscription_steps_list_its_changes_and_the_purchase_that_bought_it(
    ledger: Ledger,
) -> None:
    bought = ledger.begin_step("o1", "cart", "purchase", {}, target=T, customer_id="c1")
    ledger.finish_step(
        "o1",
        "cart",
        StepStatus.DONE,
        result={"lines": {"1": {"subscription_id": "sub-aaa", "order_id": "pc-1"}}},
    )
    ledger.begin_step("o2", "cart", "purchase", {}, target=T, customer_id="c1")
    ledger.finish_step(
        "o2", "cart", StepStatus.DONE, result={"lines": {"1": {"subscription_id": "sub-bbb"}}}
    )
    seats = ledger.begin_step(
        "op3", "seats", "set_quantity", {}, target=T, customer_id="c1", subscription_id="sub-aaa"
    )
    ledger.begin_step(
        "op4", "seats", "set_quantity", {}, target=T, customer_id="c1", subscription_id="sub-bbb"
    )
    ledger.begin_step(  # the same subscription id in another Partner Center
        "op5",
        "seats",
        "set_quantity",
        {},
        target=OTHER,
        customer_id="c1",
        subscription_id="sub-aaa",
    )
    history = ledger.subscription_steps(T, "c1", "sub-aaa")
    assert [(s.operation_id, s.key) for s in history] == [("o1", "cart"), ("op3", "seats")]
    assert history[0].request_id == bought.request_id
    assert history[1].request_id == seats.request_id
    assert ledger.subscription_steps(T, "c2", "sub-aaa") == []


def test_purchased_subscriptions_count_only_the_targets_purchase_results(ledger: Ledger) -> None:
    ledger.begin_step("o1", "cart", "purchase", {}, target=T)
    ledger.finish_step(
        "o1",
        "cart",
        StepStatus.DONE,
        result={"lines": {"1": {"subscription_id": "s1"}, "2": {"subscription_id": "s2"}}},
    )
    ledger.begin_step("o2", "cart", "purchase", {}, target=T)  # half bought, then refused
    ledger.finish_step(
        "o2", "cart", StepStatus.FAILED, result={"lines": {"1": {"subscription_id": "s3"}}}
    )
    ledger.begin_step("o3", "cart", "purchase", {}, target=T)  # still sent: no result yet
    ledger.begin_step("o4", "cart", "purchase", {}, target=OTHER)
    ledger.finish_step(
        "o4", "cart", StepStatus.DONE, result={"lines": {"1": {"subscription_id": "s4"}}}
    )
    ledger.begin_step("o5", "seats", "set_quantity", {}, target=T)  # not a purchase
    ledger.finish_step(
        "o5", "seats", StepStatus.DONE, result={"lines": {"1": {"subscription_id": "s5"}}}
    )
    assert ledger.purchased_subscriptions(T) == {"s1", "s2", "s3"}
    assert ledger.purchased_subscriptions(OTHER) == {"s4"}


# -- locks ----------------------------------------------------------------------------------


def test_a_lock_held_by_one_operation_keeps_another_out(ledger: Ledger) -> None:
    assert ledger.lock("sub:s1", "op-a", seconds=30)
    assert ledger.lock("sub:s1", "op-a", seconds=30)  # taking it again extends it
    assert not ledger.lock("sub:s1", "op-b", seconds=30)
    assert ledger.lock_holder("sub:s1") == "op-a"
    ledger.unlock("sub:s1", "op-b")  # not op-b's to give back
    assert not ledger.lock("sub:s1", "op-b", seconds=30)
    ledger.unlock("sub:s1", "op-a")
    assert ledger.lock_holder("sub:s1") is None
    assert ledger.lock("sub:s1", "op-b", seconds=30)
    assert ledger.lock("sub:s2", "op-a", seconds=30)  # another subscription's lock is free


def test_an_idle_lock_lapses_after_its_time(ledger: Ledger, clock: Clock) -> None:
    assert ledger.lock("sub:s1", "op-a", seconds=30)
    clock.now += 29
    assert not ledger.lock("sub:s1", "op-b", seconds=30)
    assert ledger.lock("sub:s1", "op-a", seconds=30)  # extended: 30 s from now
    clock.now += 29
    assert not ledger.lock("sub:s1", "op-b", seconds=30)
    clock.now += 2
    assert ledger.lock("sub:s1", "op-b", seconds=30)
    assert ledger.lock_holder("sub:s1") == "op-b"


def test_a_lock_with_a_sent_step_never_lapses_nor_is_unlocked_until_the_step_finishes(
    ledger: Ledger, clock: Clock
) -> None:
    assert ledger.lock("sub:s1", "op-a", seconds=30)
    ledger.begin_step("op-a", "seats", "set_quantity", {}, target=T, lock_name="sub:s1")
    clock.now += 10_000  # long past the lock's time: the step's outcome is still unknown
    assert not ledger.lock("sub:s1", "op-b", seconds=30)
    ledger.unlock("sub:s1", "op-a")  # leaving the block does not let it go either
    assert ledger.lock_holder("sub:s1") == "op-a"
    assert not ledger.lock("sub:s1", "op-b", seconds=30)
    assert ledger.lock("sub:s1", "op-a", seconds=30)  # its holder may go on (resend)
    ledger.finish_step("op-a", "seats", StepStatus.DONE, result={})
    assert ledger.lock_holder("sub:s1") is None
    assert ledger.lock("sub:s1", "op-b", seconds=30)


def test_a_sent_step_of_another_lock_or_operation_does_not_pin_the_lock(
    ledger: Ledger, clock: Clock
) -> None:
    assert ledger.lock("sub:s1", "op-a", seconds=30)
    assert ledger.lock("sub:s2", "op-a", seconds=30)
    ledger.begin_step("op-a", "seats", "set_quantity", {}, target=T, lock_name="sub:s2")
    clock.now += 31
    assert ledger.lock("sub:s1", "op-b", seconds=30)
    assert not ledger.lock("sub:s2", "op-b", seconds=30)


def test_a_step_is_recorded_only_by_the_operation_holding_its_lock(
    ledger: Ledger, clock: Clock
) -> None:
    with pytest.raises(LeaseLostError):
        ledger.begin_step("op-c", "seats", "set_quantity", {}, target=T, lock_name="sub:s1")
    assert ledger.steps("op-c") == []
    # A's idle lock lapsed and B took it: A records nothing under it any more.
    assert ledger.lock("sub:s1", "op-a", seconds=30)
    clock.now += 31
    assert ledger.lock("sub:s1", "op-b", seconds=30)
    with pytest.raises(LeaseLostError):
        ledger.begin_step("op-a", "seats", "set_quantity", {}, target=T, lock_name="sub:s1")
    assert ledger.steps("op-a") == []


def test_finish_step_lets_go_of_the_lock_the_step_held(ledger: Ledger) -> None:
    assert ledger.lock("sub:s1", "op-a", seconds=30)
    ledger.begin_step("op-a", "seats", "set_quantity", {}, target=T, lock_name="sub:s1")
    ledger.finish_step("op-a", "seats", StepStatus.FAILED, error={"message": "refused"})
    assert ledger.lock_holder("sub:s1") is None
    assert ledger.lock("sub:s1", "op-b", seconds=30)
    # finishing a step only lets go of its own operation's hold: never of another's
    ledger.finish_step("op-a", "seats", StepStatus.DONE, result={})
    assert ledger.lock_holder("sub:s1") == "op-b"


def test_a_lock_stays_held_while_another_step_holding_it_is_sent(ledger: Ledger) -> None:
    assert ledger.lock("sub:s1", "op-a", seconds=30)
    ledger.begin_step("op-a", "one", "set_quantity", {}, target=T, lock_name="sub:s1")
    ledger.begin_step("op-a", "two", "set_quantity", {}, target=T, lock_name="sub:s1")
    ledger.finish_step("op-a", "one", StepStatus.DONE, result={})
    assert ledger.lock_holder("sub:s1") == "op-a"
    assert not ledger.lock("sub:s1", "op-b", seconds=30)
    ledger.finish_step("op-a", "two", StepStatus.DONE, result={})
    assert ledger.lock_holder("sub:s1") is None


# -- durability level -----------------------------------------------------------------------


@pytest.mark.parametrize("level", ["FULL", "NORMAL"])
def test_the_durability_level_is_the_hosts_choice(tmp_path: Path, level: str) -> None:
    ledger = Ledger(tmp_path / "l.sqlite3", synchronous=level)  # type: ignore[arg-type]
    expected = {"FULL": 2, "NORMAL": 1}[level]
    assert ledger._db.execute("PRAGMA synchronous").fetchone()[0] == expected


def test_an_unknown_durability_level_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous"):
        Ledger(tmp_path / "l.sqlite3", synchronous="OFF")  # type: ignore[arg-type]
