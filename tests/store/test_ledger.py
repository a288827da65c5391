from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from csp_commerce.store.ledger import Ledger, OrderStatus, StepStatus


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "ledger.sqlite3")


def test_an_order_is_recorded_once(ledger: Ledger) -> None:
    first, new = ledger.record_order("o1", "cust", '{"a": 1}', "{}")
    again, new_again = ledger.record_order("o1", "cust", '{"a": 2}', "{}")
    assert new and not new_again
    assert again.order_json == '{"a": 1}'
    assert again.correlation_id == first.correlation_id
    assert [o.order_id for o in ledger.orders()] == ["o1"]


def test_a_step_request_id_is_durable_across_connections(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with Ledger(path) as ledger:
        ledger.record_order("o1", "cust", "{}", "{}")
        step = ledger.step("o1", "line-1", "cart", {"quantity": 3})
        ledger.mark_sent("o1", "line-1")
    with Ledger(path) as reopened:
        again = reopened.step("o1", "line-1", "cart", {"quantity": 99})
    assert again.request_id == step.request_id
    assert again.intent == {"quantity": 3}
    assert again.status is StepStatus.SENT
    assert again.attempts == 1


def test_request_ids_differ_between_steps(ledger: Ledger) -> None:
    ledger.record_order("o1", "cust", "{}", "{}")
    a = ledger.step("o1", "a", "cart", {})
    b = ledger.step("o1", "b", "cart", {})
    assert a.request_id != b.request_id
    assert (a.seq, b.seq) == (0, 1)


def test_step_outcomes_and_unfinished_orders(ledger: Ledger) -> None:
    ledger.record_order("o1", "cust", "{}", "{}")
    ledger.record_order("o2", "cust", "{}", "{}")
    ledger.step("o1", "a", "cart", {})
    ledger.finish_step("o1", "a", StepStatus.DONE, result={"subscription_id": "s1"})
    ledger.end_order("o1", "worker", OrderStatus.PLACED, {"subscriptions": ["s1"]})
    done = ledger.get_step("o1", "a")
    assert done is not None and done.result == {"subscription_id": "s1"}
    assert [o.order_id for o in ledger.unfinished()] == ["o2"]
    placed = ledger.order("o1")
    assert placed is not None and placed.outcome == {"subscriptions": ["s1"]}


def test_notification_is_marked_once(ledger: Ledger) -> None:
    ledger.record_order("o1", "cust", "{}", "{}")
    assert ledger.mark_notified("o1") is True
    assert ledger.mark_notified("o1") is False


def test_lease_keeps_a_second_owner_out_until_it_expires(tmp_path: Path) -> None:
    now = [1000.0]
    ledger = Ledger(tmp_path / "l.sqlite3", clock=lambda: now[0])
    ledger.record_order("o1", "cust", "{}", "{}")
    assert ledger.start_order("o1", "worker-a", seconds=60)
    placing = ledger.order("o1")
    assert placing is not None
    assert placing.status is OrderStatus.PLACING
    assert not ledger.start_order("o1", "worker-b", seconds=60)
    now[0] += 61
    assert ledger.start_order("o1", "worker-b", seconds=60)
    ledger.release("o1", "worker-b")
    assert ledger.start_order("o1", "worker-a", seconds=60)


def test_request_ids_are_unique_in_the_schema(ledger: Ledger) -> None:
    ledger.record_order("o1", "cust", "{}", "{}")
    step = ledger.step("o1", "a", "cart", {})
    with pytest.raises(sqlite3.IntegrityError):
        ledger._db.execute(
            "INSERT INTO steps (order_id, key, seq, kind, request_id, status, intent_json,"
            " updated_at) VALUES ('o1', 'b', 1, 'cart', ?, 'pending', '{}', 0)",
            (step.request_id,),
        )


def test_begin_step_returns_the_step_as_it_was_and_counts_the_attempt(ledger: Ledger) -> None:
    ledger.record_order("o1", "cust", "{}", "{}")
    first = ledger.begin_step("o1", "tenant", "create_customer", {"domain": "a"})
    assert first.status is StepStatus.PENDING
    assert first.attempts == 0
    sent = ledger.get_step("o1", "tenant")
    assert sent is not None
    assert (sent.status, sent.attempts, sent.request_id) == (StepStatus.SENT, 1, first.request_id)

    again = ledger.begin_step("o1", "tenant", "create_customer", {"domain": "other"})
    assert again.status is StepStatus.SENT  # the caller must read back before resending
    assert again.intent == {"domain": "a"}
    assert again.request_id == first.request_id

    ledger.finish_step("o1", "tenant", StepStatus.DONE, result={"tenant_id": "t"})
    done = ledger.begin_step("o1", "tenant", "create_customer", {})
    assert done.status is StepStatus.DONE
    after = ledger.get_step("o1", "tenant")
    assert after is not None
    assert (after.status, after.attempts) == (StepStatus.DONE, 2)


def test_end_order_records_the_outcome_and_frees_the_lease(ledger: Ledger) -> None:
    ledger.record_order("o1", "cust", "{}", "{}")
    assert ledger.start_order("o1", "worker-a")
    ledger.end_order("o1", "worker-a", OrderStatus.FAILED, {"why": "x"})
    ended = ledger.order("o1")
    assert ended is not None
    assert (ended.status, ended.outcome) == (OrderStatus.FAILED, {"why": "x"})
    owner = ledger._db.execute("SELECT lease_owner FROM orders WHERE order_id = 'o1'").fetchone()
    assert owner[0] is None  # the lease was given back
    assert not ledger.start_order("o1", "worker-b")  # and a finished order is never retaken


@pytest.mark.parametrize("level", ["FULL", "NORMAL"])
def test_the_durability_level_is_the_hosts_choice(tmp_path: Path, level: str) -> None:
    ledger = Ledger(tmp_path / "l.sqlite3", synchronous=level)  # type: ignore[arg-type]
    expected = {"FULL": 2, "NORMAL": 1}[level]
    assert ledger._db.execute("PRAGMA synchronous").fetchone()[0] == expected


def test_an_unknown_durability_level_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous"):
        Ledger(tmp_path / "l.sqlite3", synchronous="OFF")  # type: ignore[arg-type]


def test_a_step_begun_by_a_worker_that_lost_its_lease_is_refused(tmp_path: Path) -> None:
    from csp_commerce.errors import LeaseLostError

    now = [1000.0]
    ledger = Ledger(tmp_path / "l.sqlite3", clock=lambda: now[0])
    ledger.record_order("o1", "cust", "{}", "{}")
    assert ledger.start_order("o1", "worker-a", seconds=60)
    ledger.begin_step("o1", "a", "cart", {}, owner="worker-a", lease_seconds=60)
    now[0] += 100  # worker-a stalled past its lease; worker-b takes the order over
    assert ledger.start_order("o1", "worker-b", seconds=60)
    with pytest.raises(LeaseLostError):
        ledger.begin_step("o1", "b", "cart", {}, owner="worker-a")
    assert ledger.get_step("o1", "b") is None


def test_each_step_extends_the_lease(tmp_path: Path) -> None:
    now = [1000.0]
    ledger = Ledger(tmp_path / "l.sqlite3", clock=lambda: now[0])
    ledger.record_order("o1", "cust", "{}", "{}")
    assert ledger.start_order("o1", "worker-a", seconds=60)
    now[0] += 50
    ledger.begin_step("o1", "a", "cart", {}, owner="worker-a", lease_seconds=60)
    now[0] += 50  # 100 s after the start, but 50 s after the last step
    assert not ledger.start_order("o1", "worker-b", seconds=60)


def test_a_named_lock_has_one_owner_until_it_is_given_back_or_expires(tmp_path: Path) -> None:
    now = [1000.0]
    ledger = Ledger(tmp_path / "l.sqlite3", clock=lambda: now[0])
    assert ledger.lock("seats:s1", "a", seconds=30)
    assert ledger.lock("seats:s1", "a", seconds=30)  # taking it again extends it
    assert not ledger.lock("seats:s1", "b", seconds=30)
    ledger.unlock("seats:s1", "b")  # not b's to give back
    assert not ledger.lock("seats:s1", "b", seconds=30)
    ledger.unlock("seats:s1", "a")
    assert ledger.lock("seats:s1", "b", seconds=30)
    now[0] += 31
    assert ledger.lock("seats:s1", "a", seconds=30)  # b's expired
