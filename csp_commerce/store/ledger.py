"""The provisioning ledger: every step of every order, written down before it is attempted.

Exactly-once provisioning rests on three facts kept here, in SQLite, durably:

* each step's ``MS-RequestId`` is chosen and committed *before* the first request, so a retry
  after a crash re-sends the same id and Partner Center replays instead of acting twice;
* each step's intent is absolute (a cart of *this* line, a quantity of *exactly N* seats), so a
  step whose outcome is unknown can be read back and judged done or not;
* each order has one owner at a time (a lease), so two workers never run the same saga.

One connection per ledger object; open one ledger per thread or process.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from csp_commerce.errors import LeaseLostError
from csp_commerce.store._sqlite import Database

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping
    from contextlib import AbstractContextManager

_SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id       TEXT PRIMARY KEY,
    customer_ref   TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    status         TEXT NOT NULL,
    order_json     TEXT NOT NULL,
    plan_json      TEXT NOT NULL,
    outcome_json   TEXT,
    notified       INTEGER NOT NULL DEFAULT 0,
    lease_owner    TEXT,
    lease_until    REAL NOT NULL DEFAULT 0,
    created_at     REAL NOT NULL,
    updated_at     REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS steps (
    order_id     TEXT NOT NULL,  -- an order's id, or an operation group's (see Ledger.step)
    key          TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    request_id   TEXT NOT NULL UNIQUE,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    intent_json  TEXT NOT NULL,
    result_json  TEXT,
    error_json   TEXT,
    updated_at   REAL NOT NULL,
    PRIMARY KEY (order_id, key)
);
CREATE TABLE IF NOT EXISTS locks (
    name   TEXT PRIMARY KEY,
    owner  TEXT NOT NULL,
    until  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders(status);
CREATE INDEX IF NOT EXISTS steps_by_kind ON steps(kind, status);
"""


class OrderStatus(str, Enum):
    """Where an order's provisioning stands."""

    PENDING = "pending"  # recorded, nothing sent yet
    PLACING = "placing"  # some steps sent; resume finishes it
    COMPENSATING = "compensating"  # a step failed for good; undoing the earlier ones
    PLACED = "placed"  # every step done
    FAILED = "failed"  # a step failed for good; earlier steps compensated


#: The statuses a worker may still take an order in.
_OPEN = (OrderStatus.PENDING.value, OrderStatus.PLACING.value, OrderStatus.COMPENSATING.value)


class StepStatus(str, Enum):
    """Where one step stands. ``SENT`` means the outcome is unknown until read back."""

    PENDING = "pending"
    SENT = "sent"
    DONE = "done"
    FAILED = "failed"
    COMPENSATED = "compensated"


@dataclass(frozen=True)
class Step:
    """One recorded step of an order's saga."""

    order_id: str
    key: str
    seq: int
    kind: str
    request_id: str
    status: StepStatus
    attempts: int
    intent: dict[str, Any]
    result: dict[str, Any] | None
    error: dict[str, Any] | None


@dataclass(frozen=True)
class OrderRecord:
    """One recorded order with its saga's state."""

    order_id: str
    customer_ref: str
    correlation_id: str
    status: OrderStatus
    order_json: str
    plan_json: str
    outcome: dict[str, Any] | None
    notified: bool
    created_at: float
    updated_at: float


class Ledger:
    """The SQLite ledger of orders and their steps. ``path`` may be ``":memory:"`` for tests.

    ``synchronous`` is SQLite's: ``"FULL"`` (the default) makes every recorded request id
    survive a power cut; ``"NORMAL"`` survives a crash or kill of the process but not of the
    machine, and places orders about half again as fast (``bench/bench_orders.py``).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Any = time.time,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
    ) -> None:
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError("synchronous must be 'FULL' or 'NORMAL'")
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._db = Database(self.path, rows_as_mappings=True)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _transaction(self) -> AbstractContextManager[Database]:
        return self._db.transaction()

    # -- orders ----------------------------------------------------------------------------

    def record_order(
        self, order_id: str, customer_ref: str, order_json: str, plan_json: str
    ) -> tuple[OrderRecord, bool]:
        """Record an order once. Returns the record and whether it was new.

        Recording the same order id again returns the existing record untouched: a host that
        submits an order twice gets the first submission's state, never a second purchase.
        """
        now = self._clock()
        with self._transaction() as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO orders (order_id, customer_ref, correlation_id, status,"
                " order_json, plan_json, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                (
                    order_id,
                    customer_ref,
                    str(uuid.uuid4()),
                    OrderStatus.PENDING.value,
                    order_json,
                    plan_json,
                    now,
                    now,
                ),
            ).rowcount
        record = self.order(order_id)
        assert record is not None  # it was just written
        return record, bool(inserted)

    def order(self, order_id: str) -> OrderRecord | None:
        """The recorded order, or None."""
        row = self._db.execute("SELECT * FROM orders WHERE order_id = ?", (order_id,)).fetchone()
        return None if row is None else _order(row)

    def orders(self, status: OrderStatus | None = None) -> list[OrderRecord]:
        """Recorded orders, oldest first, optionally of one status."""
        if status is None:
            rows = self._db.execute("SELECT * FROM orders ORDER BY created_at, order_id")
        else:
            rows = self._db.execute(
                "SELECT * FROM orders WHERE status = ? ORDER BY created_at, order_id",
                (status.value,),
            )
        return [_order(row) for row in rows]

    def unfinished(self) -> list[OrderRecord]:
        """Orders a dead process may have left half done (pending, placing, compensating)."""
        rows = self._db.execute(
            "SELECT * FROM orders WHERE status IN (?, ?, ?) ORDER BY created_at, order_id", _OPEN
        )
        return [_order(row) for row in rows]

    def unnotified(self) -> list[OrderRecord]:
        """Finished orders whose host notification has not been recorded as delivered."""
        rows = self._db.execute(
            "SELECT * FROM orders WHERE status IN (?, ?) AND notified = 0"
            " ORDER BY created_at, order_id",
            (OrderStatus.PLACED.value, OrderStatus.FAILED.value),
        )
        return [_order(row) for row in rows]

    def mark_notified(self, order_id: str) -> bool:
        """Mark the host told about the order's end. False if it already was (tell it once)."""
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE orders SET notified = 1 WHERE order_id = ? AND notified = 0", (order_id,)
            ).rowcount
        return bool(changed)

    def release(self, order_id: str, owner: str) -> None:
        """Give the lease back."""
        with self._transaction() as db:
            db.execute(
                "UPDATE orders SET lease_owner = NULL, lease_until = 0"
                " WHERE order_id = ? AND lease_owner = ?",
                (order_id, owner),
            )

    def start_order(self, order_id: str, owner: str, seconds: float = 300.0) -> bool:
        """Take an open order's lease and mark it placing (a compensating order stays so), in
        one write. False if the order is finished or another live owner holds it."""
        now = self._clock()
        taken = self._db.execute(
            "UPDATE orders SET lease_owner = ?, lease_until = ?, updated_at = ?,"
            " status = CASE WHEN status = ? THEN status ELSE ? END"
            " WHERE order_id = ? AND status IN (?, ?, ?)"
            " AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)",
            (
                owner,
                now + seconds,
                now,
                OrderStatus.COMPENSATING.value,
                OrderStatus.PLACING.value,
                order_id,
                *_OPEN,
                owner,
                now,
            ),
        ).rowcount
        return bool(taken)

    def renew(self, order_id: str, owner: str, seconds: float = 300.0) -> bool:
        """Extend ``owner``'s lease; False if it lost the lease to another worker."""
        renewed = self._db.execute(
            "UPDATE orders SET lease_until = ? WHERE order_id = ? AND lease_owner = ?",
            (self._clock() + seconds, order_id, owner),
        ).rowcount
        return bool(renewed)

    def start_compensating(self, order_id: str, failure: Mapping[str, Any]) -> None:
        """Record, before anything is undone, that the order failed and why: a process that
        dies while undoing is followed by one that only finishes the undoing."""
        self._db.execute(
            "UPDATE orders SET status = ?, outcome_json = ?, updated_at = ? WHERE order_id = ?",
            (
                OrderStatus.COMPENSATING.value,
                _dump({"failure": dict(failure)}),
                self._clock(),
                order_id,
            ),
        )

    def end_order(
        self, order_id: str, owner: str, status: OrderStatus, outcome: Mapping[str, Any]
    ) -> None:
        """Record how the order ended and give its lease back, in one write."""
        self._db.execute(
            "UPDATE orders SET status = ?, outcome_json = ?, updated_at = ?, lease_owner = NULL,"
            " lease_until = 0 WHERE order_id = ? AND (lease_owner IS NULL OR lease_owner = ?)",
            (status.value, _dump(outcome), self._clock(), order_id, owner),
        )

    # -- locks -----------------------------------------------------------------------------

    def lock(self, name: str, owner: str, seconds: float = 60.0) -> bool:
        """Take the named lock (e.g. one subscription's seats) for ``seconds``; False while
        another live owner holds it. Taking a lock one already holds extends it."""
        now = self._clock()
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO locks (name, owner, until) VALUES (?, ?, 0)", (name, owner)
            )
            taken = db.execute(
                "UPDATE locks SET owner = ?, until = ? WHERE name = ? AND (owner = ? OR until < ?)",
                (owner, now + seconds, name, owner, now),
            ).rowcount
        return bool(taken)

    def unlock(self, name: str, owner: str) -> None:
        """Give the named lock back (nothing happens if ``owner`` does not hold it)."""
        self._db.execute("DELETE FROM locks WHERE name = ? AND owner = ?", (name, owner))

    # -- steps -----------------------------------------------------------------------------

    def step(self, order_id: str, key: str, kind: str, intent: Mapping[str, Any]) -> Step:
        """The step ``key`` of the order, recorded with a fresh request id if new.

        ``order_id`` names the saga the step belongs to: an order, or a group of operations
        outside checkout (``subscription:{customer}:{subscription}`` for subscription changes).

        The request id is committed before this returns, so it survives a crash and every
        later attempt of the step re-sends it. An existing step is returned as it is.
        """
        with self._transaction() as db:
            seq = db.execute(
                "SELECT COUNT(*) FROM steps WHERE order_id = ?", (order_id,)
            ).fetchone()[0]
            db.execute(
                "INSERT OR IGNORE INTO steps (order_id, key, seq, kind, request_id, status,"
                " intent_json, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                (
                    order_id,
                    key,
                    seq,
                    kind,
                    str(uuid.uuid4()),
                    StepStatus.PENDING.value,
                    _dump(intent),
                    self._clock(),
                ),
            )
        found = self.get_step(order_id, key)
        assert found is not None  # it was just written
        return found

    def begin_step(
        self,
        order_id: str,
        key: str,
        kind: str,
        intent: Mapping[str, Any],
        *,
        owner: str | None = None,
        lease_seconds: float = 300.0,
    ) -> Step:
        """Record that step ``key`` is about to be sent, and return it as it stood before.

        A new step is created with a fresh request id and ``intent``; an unfinished one keeps
        both and counts one more attempt; a finished one (done, failed, compensated) is left
        alone. The returned (previous) status tells the caller what to do: nothing for a done
        step, read back first for one already ``sent``. One write, committed before any
        request, so the request id survives a crash. With ``owner``, the order's lease is
        extended in the same write, and :class:`LeaseLostError` raised if another worker took it.
        """
        now = self._clock()
        with self._transaction() as db:
            if (
                owner is not None
                and not db.execute(
                    "UPDATE orders SET lease_until = ? WHERE order_id = ? AND lease_owner = ?",
                    (now + lease_seconds, order_id, owner),
                ).rowcount
            ):
                raise LeaseLostError(f"order {order_id} is now another worker's")
            row = db.execute(
                "SELECT * FROM steps WHERE order_id = ? AND key = ?", (order_id, key)
            ).fetchone()
            if row is None:
                previous = Step(
                    order_id=order_id,
                    key=key,
                    seq=db.execute(
                        "SELECT COUNT(*) FROM steps WHERE order_id = ?", (order_id,)
                    ).fetchone()[0],
                    kind=kind,
                    request_id=str(uuid.uuid4()),
                    status=StepStatus.PENDING,
                    attempts=0,
                    intent=dict(intent),
                    result=None,
                    error=None,
                )
                db.execute(
                    "INSERT INTO steps (order_id, key, seq, kind, request_id, status, attempts,"
                    " intent_json, updated_at) VALUES (?,?,?,?,?,?,1,?,?)",
                    (
                        order_id,
                        key,
                        previous.seq,
                        kind,
                        previous.request_id,
                        StepStatus.SENT.value,
                        _dump(intent),
                        now,
                    ),
                )
                return previous
            previous = _step(row)
            if previous.status in (StepStatus.PENDING, StepStatus.SENT):
                db.execute(
                    "UPDATE steps SET status = ?, attempts = attempts + 1, updated_at = ?"
                    " WHERE order_id = ? AND key = ?",
                    (StepStatus.SENT.value, now, order_id, key),
                )
            return previous

    def purchased_subscriptions(self) -> set[str]:
        """The subscription ids that finished checkout steps have recorded (of every order)."""
        rows = self._db.execute(
            "SELECT result_json FROM steps WHERE kind = 'checkout' AND status = ?",
            (StepStatus.DONE.value,),
        )
        ids = {(_load(row[0]) or {}).get("subscription_id") for row in rows}
        return {str(value) for value in ids if value}

    def get_step(self, order_id: str, key: str) -> Step | None:
        """One step of an order, or None."""
        row = self._db.execute(
            "SELECT * FROM steps WHERE order_id = ? AND key = ?", (order_id, key)
        ).fetchone()
        return None if row is None else _step(row)

    def steps(self, order_id: str | None = None) -> list[Step]:
        """The steps of one order (or of all), in the order they were recorded."""
        if order_id is None:
            rows = self._db.execute("SELECT * FROM steps ORDER BY order_id, seq")
        else:
            rows = self._db.execute(
                "SELECT * FROM steps WHERE order_id = ? ORDER BY seq", (order_id,)
            )
        return [_step(row) for row in rows]

    def mark_sent(self, order_id: str, key: str) -> None:
        """The step is about to be sent: from now on its outcome is unknown until read back."""
        with self._transaction() as db:
            db.execute(
                "UPDATE steps SET status = ?, attempts = attempts + 1, updated_at = ?"
                " WHERE order_id = ? AND key = ? AND status IN (?, ?)",
                (
                    StepStatus.SENT.value,
                    self._clock(),
                    order_id,
                    key,
                    StepStatus.PENDING.value,
                    StepStatus.SENT.value,
                ),
            )

    def finish_step(
        self,
        order_id: str,
        key: str,
        status: StepStatus,
        *,
        result: Mapping[str, Any] | None = None,
        error: Mapping[str, Any] | None = None,
    ) -> None:
        """Record a step's outcome: done (with its result), failed or compensated."""
        with self._transaction() as db:
            db.execute(
                "UPDATE steps SET status = ?, result_json = COALESCE(?, result_json),"
                " error_json = COALESCE(?, error_json), updated_at = ?"
                " WHERE order_id = ? AND key = ?",
                (status.value, _dump(result), _dump(error), self._clock(), order_id, key),
            )


def _dump(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def _load(text: str | None) -> dict[str, Any] | None:
    return None if text is None else dict(json.loads(text))


def _order(row: Any) -> OrderRecord:
    return OrderRecord(
        order_id=row["order_id"],
        customer_ref=row["customer_ref"],
        correlation_id=row["correlation_id"],
        status=OrderStatus(row["status"]),
        order_json=row["order_json"],
        plan_json=row["plan_json"],
        outcome=_load(row["outcome_json"]),
        notified=bool(row["notified"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _step(row: Any) -> Step:
    return Step(
        order_id=row["order_id"],
        key=row["key"],
        seq=row["seq"],
        kind=row["kind"],
        request_id=row["request_id"],
        status=StepStatus(row["status"]),
        attempts=row["attempts"],
        intent=_load(row["intent_json"]) or {},
        result=_load(row["result_json"]),
        error=_load(row["error_json"]),
    )
