"""The ledger: every change sent to Partner Center, written down before it is sent.

Exactly once rests on four facts kept here, in SQLite or PostgreSQL, durably:

* each step's ``MS-RequestId`` is chosen and committed *before* the first request, so a retry
  after a crash re-sends the same id and Partner Center replays instead of acting twice;
* each step's intent is absolute (a cart of *these* lines, *exactly N* seats), so a step whose
  outcome is unknown can be re-sent or read back and judged done or not;
* each order has one worker at a time (a lease), so two workers never run the same saga;
* a subscription is changed by one operation at a time (a lock held by the *operation*, not the
  worker), and a lock whose step's outcome is unknown is never released or expired.

Every record carries the Partner Center it was made against (its *target*: cloud, base URL and
partner tenant), so that nothing recorded against one is ever resumed against another.

A ledger object may be shared by threads. Processes on one or many machines may share one
database: every write that reads before it writes is one exclusive transaction (SQLite's write
lock; on PostgreSQL the ledger's advisory lock), and every other write is one statement whose
conditions are checked on the rows it changes, so a lease or lock goes to one worker only.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from csp_commerce.errors import LeaseLostError
from csp_commerce.store._db import Database, connect
from csp_commerce.store._schema import Migration, upgrade
from csp_commerce.store.approvals import APPROVALS_MIGRATION, ApprovalQueue
from csp_commerce.store.order_queue import OrderQueue

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping
    from contextlib import AbstractContextManager

_STORE = "ledger"
_MIGRATIONS = (
    Migration(
        1,
        (
            """CREATE TABLE IF NOT EXISTS orders (
    order_id       TEXT PRIMARY KEY,
    target         TEXT NOT NULL,
    customer_ref   TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    status         TEXT NOT NULL,
    order_json     TEXT NOT NULL,
    plan_json      TEXT NOT NULL,
    outcome_json   TEXT,
    notified       INTEGER NOT NULL DEFAULT 0,
    lease_owner    TEXT,
    lease_until    {real} NOT NULL DEFAULT 0,
    created_at     {real} NOT NULL,
    updated_at     {real} NOT NULL
)""",
            """CREATE TABLE IF NOT EXISTS steps (
    operation_id    TEXT NOT NULL,  -- the order, or the one post-sale change, it belongs to
    key             TEXT NOT NULL,  -- the step within its operation ("tenant", "seats:2", ...)
    seq             INTEGER NOT NULL,
    kind            TEXT NOT NULL,  -- what it sends ("create_customer", "set_quantity", ...)
    target          TEXT NOT NULL,
    request_id      TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    intent_json     TEXT NOT NULL,
    result_json     TEXT,
    error_json      TEXT,
    customer_id     TEXT,
    subscription_id TEXT,
    actor           TEXT,
    lock_name       TEXT,           -- the lock it holds until its outcome is known
    created_at      {real} NOT NULL,
    updated_at      {real} NOT NULL,
    PRIMARY KEY (operation_id, key)
)""",
            """CREATE TABLE IF NOT EXISTS locks (
    name    TEXT PRIMARY KEY,
    holder  TEXT NOT NULL,          -- an operation id
    until   {real} NOT NULL         -- an idle lock lapses then; one with a sent step never does
)""",
            "CREATE INDEX IF NOT EXISTS orders_by_status ON orders(target, status)",
            "CREATE INDEX IF NOT EXISTS steps_by_subscription"
            " ON steps(target, customer_id, subscription_id)",
            "CREATE INDEX IF NOT EXISTS steps_by_status ON steps(target, status, kind)",
        ),
    ),
    # resume() reads only open and unnotified orders, and retention only finished ones: partial
    # indexes keep each cost to the rows concerned, however long the history grows.
    Migration(
        2,
        (
            "CREATE INDEX IF NOT EXISTS orders_open ON orders(created_at, order_id)"
            " WHERE status IN ('pending', 'placing', 'compensating')",
            "CREATE INDEX IF NOT EXISTS orders_unnotified ON orders(created_at, order_id)"
            " WHERE notified = 0 AND status IN ('placed', 'failed')",
            "CREATE INDEX IF NOT EXISTS orders_finished ON orders(updated_at)"
            " WHERE status IN ('placed', 'failed')",
        ),
    ),
    APPROVALS_MIGRATION,  # orders held for approval (store/approvals.py)
)


def upgrade_ledger(db: Database) -> list[int]:
    """Bring a ledger's schema up to date; the versions applied."""
    return upgrade(db, _STORE, _MIGRATIONS)


class OrderStatus(str, Enum):
    """Where an order's provisioning stands."""

    PENDING = "pending"  # recorded, nothing sent yet
    PLACING = "placing"  # some steps sent; resume finishes it
    COMPENSATING = "compensating"  # a step failed for good; undoing the earlier ones
    PLACED = "placed"  # every step done
    FAILED = "failed"  # a step failed for good; earlier steps compensated


#: The statuses a worker may still take an order in (spelled out in the partial index too).
_OPEN = (OrderStatus.PENDING.value, OrderStatus.PLACING.value, OrderStatus.COMPENSATING.value)


class StepStatus(str, Enum):
    """Where one step stands. ``SENT`` means the outcome is unknown until re-sent or read back."""

    SENT = "sent"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class Step:
    """One recorded step of an operation (an order's saga, or one post-sale change)."""

    operation_id: str
    key: str
    seq: int
    kind: str
    target: str
    request_id: str
    status: StepStatus
    attempts: int
    intent: dict[str, Any]
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    customer_id: str | None
    subscription_id: str | None
    actor: str | None
    lock_name: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class OrderRecord:
    """One recorded order with its saga's state."""

    order_id: str
    target: str
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
    """The ledger of orders, their steps and every post-sale change, on SQLite or PostgreSQL.

    ``location`` is a file path, ``sqlite:///path`` (``":memory:"`` for tests) or a
    ``postgresql://`` URL (optionally ``?schema=NAME``): see :mod:`csp_commerce.store._db`. The
    schema is created or upgraded on opening. ``synchronous``: ``"FULL"`` (the default) makes
    every recorded request id survive a power cut; ``"NORMAL"`` survives a crash or kill of the
    process but not of the machine, and is faster (``bench/bench_orders.py``); on PostgreSQL
    it is ``synchronous_commit`` on or off.
    """

    def __init__(
        self,
        location: str | os.PathLike[str],
        *,
        clock: Any = time.time,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
    ) -> None:
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError("synchronous must be 'FULL' or 'NORMAL'")
        self._clock = clock
        self._db: Database = connect(location, store=_STORE, synchronous=synchronous)
        self.path = str(self._db.location)  # for messages: a URL's password left out
        try:
            upgrade_ledger(self._db)
        except BaseException:
            self._db.close()
            raise
        #: Orders held for a person's approval (``Checkout.approve`` / ``reject`` decide).
        self.approvals = ApprovalQueue(self._db, self.now)
        #: Pending and abandoned orders, claimed by workers (``Checkout.work``).
        self.queue = OrderQueue(self._db, self.now)

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def now(self) -> float:
        """The ledger's clock (epoch seconds)."""
        return float(self._clock())

    def _transaction(self) -> AbstractContextManager[Database]:
        return self._db.transaction()

    # -- orders ----------------------------------------------------------------------------

    def record_order(
        self,
        order_id: str,
        customer_ref: str,
        order_json: str,
        plan_json: str,
        *,
        target: str,
        owner: str | None = None,
        lease_seconds: float = 300.0,
    ) -> tuple[OrderRecord, bool]:
        """Record an order once; returns the record and whether it was new.

        A new order is taken by ``owner`` (its lease) and marked placing in the same write.
        Recording the same order id again returns the existing record untouched: a host that
        submits an order twice gets the first submission's state, never a second purchase.
        """
        now = self.now()
        status = OrderStatus.PENDING if owner is None else OrderStatus.PLACING
        with self._transaction() as db:
            inserted = db.execute(
                "INSERT INTO orders (order_id, target, customer_ref, correlation_id,"
                " status, order_json, plan_json, lease_owner, lease_until, created_at,"
                " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                (
                    order_id,
                    target,
                    customer_ref,
                    str(uuid.uuid4()),
                    status.value,
                    order_json,
                    plan_json,
                    owner,
                    0 if owner is None else now + lease_seconds,
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

    def orders(
        self, status: OrderStatus | None = None, *, target: str | None = None
    ) -> list[OrderRecord]:
        """Recorded orders, oldest first, optionally of one status and one target."""
        sql, params = "SELECT * FROM orders WHERE 1 = 1", list[str]()
        if status is not None:
            sql, params = sql + " AND status = ?", [*params, status.value]
        if target is not None:
            sql, params = sql + " AND target = ?", [*params, target]
        rows = self._db.execute(sql + " ORDER BY created_at, order_id", params)
        return [_order(row) for row in rows]

    def unfinished(self, target: str | None = None) -> list[OrderRecord]:
        """Orders (of one target, or of all) a dead process may have left half done.

        Read through a partial index of open orders: the cost does not grow with history."""
        rows = self._db.execute(
            "SELECT * FROM orders WHERE status IN ('pending', 'placing', 'compensating')"
            " ORDER BY created_at, order_id"
        )
        return [_order(row) for row in rows if target is None or row["target"] == target]

    def unnotified(self, target: str | None = None) -> list[OrderRecord]:
        """Finished orders (of one target, or of all) whose host notification is not recorded
        as delivered (read through a partial index, like :meth:`unfinished`)."""
        rows = self._db.execute(
            "SELECT * FROM orders WHERE notified = 0 AND status IN ('placed', 'failed')"
            " ORDER BY created_at, order_id"
        )
        return [_order(row) for row in rows if target is None or row["target"] == target]

    def prune(self, older_than: float, *, batch: int = 500) -> int:
        """Delete finished orders (placed or failed, the host told) last changed more than
        ``older_than`` seconds ago, with their steps; how many orders went.

        Never an open order, one whose notification is not delivered, or one with a step whose
        outcome is unknown. Deletes in batches of ``batch`` orders, one transaction each, so
        workers are never held up for long.
        """
        if older_than < 0:
            raise ValueError("older_than must be at least 0 seconds")
        cutoff, pruned = self.now() - older_than, 0
        while True:
            with self._transaction() as db:
                ids = [
                    str(row[0])
                    for row in db.execute(
                        "SELECT order_id FROM orders WHERE status IN ('placed', 'failed')"
                        " AND updated_at < ? AND notified = 1 AND NOT EXISTS (SELECT 1 FROM"
                        " steps WHERE steps.operation_id = orders.order_id AND steps.status = ?)"
                        " LIMIT ?",
                        (cutoff, StepStatus.SENT.value, batch),
                    )
                ]
                if not ids:
                    return pruned
                marks = ", ".join("?" * len(ids))
                db.execute(f"DELETE FROM steps WHERE operation_id IN ({marks})", ids)
                db.execute(f"DELETE FROM orders WHERE order_id IN ({marks})", ids)
            pruned += len(ids)

    def mark_notified(self, order_id: str) -> bool:
        """Mark the host told about the order's end. False if it already was (tell it once)."""
        changed = self._db.execute(
            "UPDATE orders SET notified = 1 WHERE order_id = ? AND notified = 0", (order_id,)
        ).rowcount
        return bool(changed)

    def release(self, order_id: str, owner: str) -> None:
        """Give the lease back."""
        self._db.execute(
            "UPDATE orders SET lease_owner = NULL, lease_until = 0"
            " WHERE order_id = ? AND lease_owner = ?",
            (order_id, owner),
        )

    def start_order(self, order_id: str, owner: str, seconds: float = 300.0) -> bool:
        """Take an open order's lease and mark it placing (a compensating order stays so), in
        one write. False if the order is finished or another live owner holds it."""
        now = self.now()
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
            (self.now() + seconds, order_id, owner),
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
                self.now(),
                order_id,
            ),
        )

    def end_order(
        self,
        order_id: str,
        owner: str,
        status: OrderStatus,
        outcome: Mapping[str, Any],
        *,
        notified: bool = False,
    ) -> None:
        """Record how the order ended (and whether the host was told), and give its lease
        back, in one write."""
        self._db.execute(
            "UPDATE orders SET status = ?, outcome_json = ?, notified = ?, updated_at = ?,"
            " lease_owner = NULL, lease_until = 0"
            " WHERE order_id = ? AND (lease_owner IS NULL OR lease_owner = ?)",
            (status.value, _dump(outcome), int(notified), self.now(), order_id, owner),
        )

    # -- locks -----------------------------------------------------------------------------

    def lock(self, name: str, holder: str, seconds: float = 300.0) -> bool:
        """Take the named lock (one subscription's changes) for the operation ``holder``.

        False while another operation holds it: until it lets it go, its idle lock lapses, or,
        if a step of it that holds the lock is ``sent`` (outcome unknown), never. Taking a lock
        one already holds extends it.
        """
        now = self.now()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO locks (name, holder, until) VALUES (?, ?, 0) ON CONFLICT DO NOTHING",
                (name, holder),
            )
            taken = db.execute(
                "UPDATE locks SET holder = ?, until = ? WHERE name = ? AND (holder = ?"
                " OR (until < ? AND NOT EXISTS (SELECT 1 FROM steps WHERE"
                " steps.operation_id = locks.holder AND steps.lock_name = locks.name"
                " AND steps.status = ?)))",
                (holder, now + seconds, name, holder, now, StepStatus.SENT.value),
            ).rowcount
        return bool(taken)

    def unlock(self, name: str, holder: str) -> None:
        """Let the lock go, unless a step of ``holder`` that holds it is still ``sent``."""
        self._db.execute(
            "DELETE FROM locks WHERE name = ? AND holder = ? AND NOT EXISTS (SELECT 1 FROM steps"
            " WHERE operation_id = ? AND lock_name = ? AND status = ?)",
            (name, holder, holder, name, StepStatus.SENT.value),
        )

    def lock_holder(self, name: str) -> str | None:
        """The operation holding the lock (even a lapsed one), or None."""
        row = self._db.execute("SELECT holder FROM locks WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row["holder"])

    # -- steps -----------------------------------------------------------------------------

    def begin_step(
        self,
        operation_id: str,
        key: str,
        kind: str,
        intent: Mapping[str, Any],
        *,
        target: str,
        owner: str | None = None,
        lease_seconds: float = 300.0,
        customer_id: str | None = None,
        subscription_id: str | None = None,
        actor: str | None = None,
        lock_name: str | None = None,
    ) -> Step:
        """Record that step ``key`` is being sent, and return it as it stands now.

        A new step is created ``sent`` with a fresh request id and ``intent``; one already
        ``sent`` keeps both and counts one more attempt; a finished one is returned untouched.
        One write, committed before any request, so the request id survives a crash. With
        ``owner`` (an order's worker), the order's lease is extended in the same write, and
        :class:`LeaseLostError` raised if another worker took it.
        """
        now = self.now()
        with self._transaction() as db:
            if (
                owner is not None
                and not db.execute(
                    "UPDATE orders SET lease_until = ? WHERE order_id = ? AND lease_owner = ?",
                    (now + lease_seconds, operation_id, owner),
                ).rowcount
            ):
                raise LeaseLostError(f"order {operation_id} is now another worker's")
            if (
                lock_name is not None
                and not db.execute(
                    "UPDATE locks SET until = CASE WHEN until > ? THEN until ELSE ? END"
                    " WHERE name = ? AND holder = ?",
                    (now + lease_seconds, now + lease_seconds, lock_name, operation_id),
                ).rowcount
            ):
                raise LeaseLostError(f"{lock_name} is no longer held by {operation_id}")
            row = db.execute(
                "SELECT * FROM steps WHERE operation_id = ? AND key = ?", (operation_id, key)
            ).fetchone()
            if row is None:
                seq = db.execute(
                    "SELECT COUNT(*) FROM steps WHERE operation_id = ?", (operation_id,)
                ).fetchone()[0]
                db.execute(
                    "INSERT INTO steps (operation_id, key, seq, kind, target, request_id, status,"
                    " attempts, intent_json, customer_id, subscription_id, actor, lock_name,"
                    " created_at, updated_at) VALUES (?,?,?,?,?,?,?,1,?,?,?,?,?,?,?)",
                    (
                        operation_id,
                        key,
                        seq,
                        kind,
                        target,
                        str(uuid.uuid4()),
                        StepStatus.SENT.value,
                        _dump(intent),
                        customer_id,
                        subscription_id,
                        actor,
                        lock_name,
                        now,
                        now,
                    ),
                )
            elif row["status"] == StepStatus.SENT.value:
                db.execute(
                    "UPDATE steps SET attempts = attempts + 1, updated_at = ?"
                    " WHERE operation_id = ? AND key = ?",
                    (now, operation_id, key),
                )
            step = db.execute(
                "SELECT * FROM steps WHERE operation_id = ? AND key = ?", (operation_id, key)
            ).fetchone()
        return _step(step)

    def finish_step(
        self,
        operation_id: str,
        key: str,
        status: StepStatus,
        *,
        result: Mapping[str, Any] | None = None,
        error: Mapping[str, Any] | None = None,
    ) -> None:
        """Record a step's outcome (done with its result, or failed for good) and let go of the
        lock it held, in one write."""
        now = self.now()
        with self._transaction() as db:
            row = db.execute(
                "SELECT lock_name FROM steps WHERE operation_id = ? AND key = ?",
                (operation_id, key),
            ).fetchone()
            db.execute(
                "UPDATE steps SET status = ?, result_json = COALESCE(?, result_json),"
                " error_json = COALESCE(?, error_json), updated_at = ?"
                " WHERE operation_id = ? AND key = ?",
                (status.value, _dump(result), _dump(error), now, operation_id, key),
            )
            if row is not None and row["lock_name"]:
                db.execute(  # unless another step of the operation holding it is still sent
                    "DELETE FROM locks WHERE name = ? AND holder = ? AND NOT EXISTS (SELECT 1"
                    " FROM steps WHERE operation_id = ? AND lock_name = ? AND status = ?)",
                    (
                        row["lock_name"],
                        operation_id,
                        operation_id,
                        row["lock_name"],
                        StepStatus.SENT.value,
                    ),
                )

    def note_step(self, operation_id: str, key: str, intent: Mapping[str, Any]) -> None:
        """Add to a sent step's intent what its first request created (a cart's id), before
        the next request depends on it."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT intent_json FROM steps WHERE operation_id = ? AND key = ?",
                (operation_id, key),
            ).fetchone()
            merged = {**(_load(row["intent_json"]) or {}), **intent}
            db.execute(
                "UPDATE steps SET intent_json = ?, updated_at = ?"
                " WHERE operation_id = ? AND key = ?",
                (_dump(merged), self.now(), operation_id, key),
            )

    def get_step(self, operation_id: str, key: str) -> Step | None:
        """One step of an operation, or None."""
        row = self._db.execute(
            "SELECT * FROM steps WHERE operation_id = ? AND key = ?", (operation_id, key)
        ).fetchone()
        return None if row is None else _step(row)

    def steps(self, operation_id: str | None = None) -> list[Step]:
        """The steps of one operation (or of all), in the order they were recorded."""
        if operation_id is None:
            rows = self._db.execute("SELECT * FROM steps ORDER BY created_at, operation_id, seq")
        else:
            rows = self._db.execute(
                "SELECT * FROM steps WHERE operation_id = ? ORDER BY seq", (operation_id,)
            )
        return [_step(row) for row in rows]

    def sent_steps(self, target: str, *, kinds: tuple[str, ...] | None = None) -> list[Step]:
        """The target's steps whose outcome is still unknown (of every operation)."""
        rows = self._db.execute(
            "SELECT * FROM steps WHERE target = ? AND status = ? ORDER BY created_at, seq",
            (target, StepStatus.SENT.value),
        )
        return [s for s in map(_step, rows) if kinds is None or s.kind in kinds]

    def subscription_steps(self, target: str, customer_id: str, subscription_id: str) -> list[Step]:
        """Every step that changed (or bought) the subscription, oldest first: the history."""
        rows = self._db.execute(
            "SELECT * FROM steps WHERE target = ? AND customer_id = ? AND (subscription_id = ?"
            " OR (kind = 'purchase' AND result_json LIKE ?)) ORDER BY created_at, seq",
            (target, customer_id, subscription_id, f'%"subscription_id": "{subscription_id}"%'),
        )
        return [_step(row) for row in rows]

    def purchased_subscriptions(self, target: str) -> set[str]:
        """The subscription ids that finished purchase steps of the target have recorded."""
        rows = self._db.execute(
            "SELECT result_json FROM steps WHERE target = ? AND kind = 'purchase'"
            " AND result_json IS NOT NULL",
            (target,),
        )
        ids: set[str] = set()
        for row in rows:
            for line in ((_load(row[0]) or {}).get("lines") or {}).values():
                if line.get("subscription_id"):
                    ids.add(str(line["subscription_id"]))
        return ids


def _dump(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def _load(text: str | None) -> dict[str, Any] | None:
    return None if text is None else dict(json.loads(text))


def _order(row: Any) -> OrderRecord:
    return OrderRecord(
        order_id=row["order_id"],
        target=row["target"],
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
        operation_id=row["operation_id"],
        key=row["key"],
        seq=row["seq"],
        kind=row["kind"],
        target=row["target"],
        request_id=row["request_id"],
        status=StepStatus(row["status"]),
        attempts=row["attempts"],
        intent=_load(row["intent_json"]) or {},
        result=_load(row["result_json"]),
        error=_load(row["error_json"]),
        customer_id=row["customer_id"],
        subscription_id=row["subscription_id"],
        actor=row["actor"],
        lock_name=row["lock_name"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
