"""Orders held for a person's approval, and the person's decision, in the ledger's database.

An order the ``csp_approve_order`` hook holds is written here (``held``) with the whole order, so
a later process can release it. The decision is one conditional write: ``held`` becomes
``approved`` or ``rejected``, never both, and a rejected order can never be approved. An approved
order is placed through the step engine like any other (its ``orders`` row); one approved but
not yet placed (the process died in between) is found by :meth:`ApprovalQueue.approved_unplaced`
and placed by ``Checkout.resume``.

An existing tenant's order refused only because the tenant has not accepted the reseller
relationship yet is kept here too, ``waiting`` (:meth:`ApprovalQueue.wait`): when the
relationship is accepted it is judged again and leaves ``waiting`` once, for ``approved`` (then
placed) or ``held`` (``csp_approve_order`` holds it for a person), each one conditional write.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from csp_commerce.store._schema import Migration

if TYPE_CHECKING:
    from collections.abc import Callable

    from csp_commerce.store._db import Database

#: The ledger's schema version 3: the approvals table (both engines; ``{real}`` per engine).
APPROVALS_MIGRATION = Migration(
    3,
    (
        """CREATE TABLE IF NOT EXISTS approvals (
    order_id        TEXT PRIMARY KEY,
    target          TEXT NOT NULL,
    customer_ref    TEXT NOT NULL,
    status          TEXT NOT NULL,  -- held, approved, rejected (or waiting: see wait())
    order_json      TEXT NOT NULL,
    held_reason     TEXT,           -- why the hook held it
    held_by         TEXT,           -- who the hook says must decide
    decided_by      TEXT,
    decision_reason TEXT,           -- a rejection's reason (or why it was held again)
    created_at      {real} NOT NULL,
    decided_at      {real}
)""",
        "CREATE INDEX IF NOT EXISTS approvals_by_status ON approvals(target, status)",
    ),
)


class ApprovalStatus(str, Enum):
    """Where a held order stands."""

    HELD = "held"  # waiting for a person
    APPROVED = "approved"  # released: placed, or placed by the next resume
    REJECTED = "rejected"  # refused: never placed
    WAITING = "waiting"  # for the customer's tenant to accept the reseller relationship


@dataclass(frozen=True)
class HeldOrder:
    """One order held for approval and what became of it."""

    order_id: str
    target: str
    customer_ref: str
    status: ApprovalStatus
    order_json: str
    held_reason: str | None
    held_by: str | None
    decided_by: str | None
    decision_reason: str | None
    created_at: float
    decided_at: float | None


class ApprovalQueue:
    """The held orders of a ledger (``Ledger.approvals``; its schema is the ledger's)."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock

    def hold(
        self,
        order_id: str,
        customer_ref: str,
        order_json: str,
        *,
        target: str,
        reason: str | None,
        held_by: str | None,
    ) -> HeldOrder:
        """Hold the order (once: holding it again returns the first record untouched; an order
        ``waiting`` for its relationship becomes ``held``)."""
        self._db.execute(
            "INSERT INTO approvals (order_id, target, customer_ref, status, order_json,"
            " held_reason, held_by, created_at) VALUES (?,?,?,?,?,?,?,?)"
            " ON CONFLICT (order_id) DO UPDATE SET status = excluded.status,"
            " held_reason = excluded.held_reason, held_by = excluded.held_by"
            " WHERE approvals.status = 'waiting'",
            (
                order_id,
                target,
                customer_ref,
                ApprovalStatus.HELD.value,
                order_json,
                reason,
                held_by,
                float(self._clock()),
            ),
        )
        record = self.get(order_id)
        assert record is not None  # just written
        return record

    def get(self, order_id: str) -> HeldOrder | None:
        """The held order's record, or None for an order never held."""
        row = self._db.execute("SELECT * FROM approvals WHERE order_id = ?", (order_id,))
        first = row.fetchone()
        return None if first is None else _held(first)

    def all(
        self, status: ApprovalStatus | None = None, *, target: str | None = None
    ) -> list[HeldOrder]:
        """Held orders, oldest first, optionally of one status and one target."""
        sql, params = "SELECT * FROM approvals WHERE 1 = 1", list[str]()
        if status is not None:
            sql, params = sql + " AND status = ?", [*params, status.value]
        if target is not None:
            sql, params = sql + " AND target = ?", [*params, target]
        rows = self._db.execute(sql + " ORDER BY created_at, order_id", params)
        return [_held(row) for row in rows]

    def decide(
        self,
        order_id: str,
        status: ApprovalStatus,
        *,
        target: str,
        by: str | None = None,
        reason: str | None = None,
    ) -> HeldOrder | None:
        """Approve or reject a ``held`` order of ``target``, in one conditional write.

        Returns the record after the write; it shows another status when the order was already
        decided (the earlier decision stands), and None for an order never held for ``target``
        (an order held against another Partner Center is left untouched).
        """
        if status is ApprovalStatus.HELD:
            raise ValueError("decide approves or rejects; hold_again holds")
        self._db.execute(
            "UPDATE approvals SET status = ?, decided_by = ?, decision_reason = ?,"
            " decided_at = ? WHERE order_id = ? AND target = ? AND status = ?",
            (
                status.value,
                by,
                reason,
                float(self._clock()),
                order_id,
                target,
                ApprovalStatus.HELD.value,
            ),
        )
        record = self.get(order_id)
        return record if record is not None and record.target == target else None

    def hold_again(self, order_id: str, reason: str) -> None:
        """Put an approved order that could not be placed (it has Problems now) back in the
        queue, saying why."""
        self._db.execute(
            "UPDATE approvals SET status = ?, decision_reason = ? WHERE order_id = ?"
            " AND status = ?",
            (ApprovalStatus.HELD.value, reason, order_id, ApprovalStatus.APPROVED.value),
        )

    def wait(
        self, order_id: str, customer_ref: str, order_json: str, *, target: str, reason: str
    ) -> HeldOrder:
        """Keep the order ``waiting`` for its tenant's reseller relationship (``reason``: the
        link the customer must open). Once: a second call returns the first record untouched."""
        self._db.execute(
            "INSERT INTO approvals (order_id, target, customer_ref, status, order_json,"
            " held_reason, created_at) VALUES (?,?,?,?,?,?,?)"
            " ON CONFLICT (order_id) DO NOTHING",
            (
                order_id,
                target,
                customer_ref,
                ApprovalStatus.WAITING.value,
                order_json,
                reason,
                float(self._clock()),
            ),
        )
        record = self.get(order_id)
        assert record is not None  # just written
        return record

    def release(self, order_id: str, *, by: str) -> bool:
        """Move a ``waiting`` order to ``approved`` before it is placed (so that a process dying
        in between leaves it to :meth:`approved_unplaced`); False when it was not waiting."""
        changed = self._db.execute(
            "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?"
            " WHERE order_id = ? AND status = ?",
            (
                ApprovalStatus.APPROVED.value,
                by,
                float(self._clock()),
                order_id,
                ApprovalStatus.WAITING.value,
            ),
        ).rowcount
        return bool(changed == 1)

    def still_waiting(self, order_id: str, reason: str) -> None:
        """Say why a ``waiting`` order judged again still cannot be placed."""
        self._db.execute(
            "UPDATE approvals SET decision_reason = ? WHERE order_id = ? AND status = ?",
            (reason, order_id, ApprovalStatus.WAITING.value),
        )

    def approved_unplaced(self, target: str) -> list[HeldOrder]:
        """Approved orders of ``target`` the ledger has no placement record of: a process died
        between the approval and the placement."""
        rows = self._db.execute(
            "SELECT * FROM approvals WHERE status = ? AND target = ? AND NOT EXISTS"
            " (SELECT 1 FROM orders WHERE orders.order_id = approvals.order_id)"
            " ORDER BY decided_at, order_id",
            (ApprovalStatus.APPROVED.value, target),
        )
        return [_held(row) for row in rows]


def _held(row: Any) -> HeldOrder:
    return HeldOrder(
        order_id=row["order_id"],
        target=row["target"],
        customer_ref=row["customer_ref"],
        status=ApprovalStatus(row["status"]),
        order_json=row["order_json"],
        held_reason=row["held_reason"],
        held_by=row["held_by"],
        decided_by=row["decided_by"],
        decision_reason=row["decision_reason"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
    )
