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
    ledger.set_order_status("o1", OrderStatus.PLACED, {"subscriptions": ["s1"]})
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
    assert ledger.acquire("o1", "worker-a", seconds=60)
    assert not ledger.acquire("o1", "worker-b", seconds=60)
    now[0] += 61
    assert ledger.acquire("o1", "worker-b", seconds=60)
    ledger.release("o1", "worker-b")
    assert ledger.acquire("o1", "worker-a", seconds=60)


def test_request_ids_are_unique_in_the_schema(ledger: Ledger) -> None:
    ledger.record_order("o1", "cust", "{}", "{}")
    step = ledger.step("o1", "a", "cart", {})
    with pytest.raises(sqlite3.IntegrityError):
        ledger._db.execute(
            "INSERT INTO steps (order_id, key, seq, kind, request_id, status, intent_json,"
            " updated_at) VALUES ('o1', 'b', 1, 'cart', ?, 'pending', '{}', 0)",
            (step.request_id,),
        )
