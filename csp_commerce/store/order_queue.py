"""The queue of orders waiting for a worker, in the ledger's ``orders`` table.

An order ``Checkout.submit`` recorded is ``pending`` with no lease; an order a worker died
holding is ``placing`` (or ``compensating``) with a lease that has run out. Either may be
*claimed*: one statement picks the oldest such order and gives its lease to the claiming worker,
so that any number of workers, in any number of processes on any number of machines, never
claim the same order twice:

* on PostgreSQL, ``SELECT ... FOR UPDATE SKIP LOCKED`` inside the ``UPDATE``: a row another
  worker is claiming (or placing with ``Ledger.start_order``) right now is skipped, not waited
  for, and a row claimed meanwhile is checked again before it is taken;
* on SQLite, the same pick and update in one ``BEGIN IMMEDIATE`` transaction (the file's one
  writer until commit).

Neither takes the ledger's advisory lock: claims never wait behind other workers' steps.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from csp_commerce.store._db import Database

# The open statuses, spelled as the ledger's partial index ``orders_open`` spells them, so that
# both engines pick the oldest claimable order through that index.
_CLAIMABLE = (
    "status IN ('pending', 'placing', 'compensating') AND target = ?"
    " AND (lease_owner IS NULL OR lease_until < ?)"
)
_TAKE = (
    "UPDATE orders SET lease_owner = ?, lease_until = ?, updated_at = ?,"
    " status = CASE WHEN status = 'compensating' THEN status ELSE 'placing' END"
)


class OrderQueue:
    """Claims of the ledger's open orders (``Ledger.queue``; the schema is the ledger's)."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock

    def claim(self, target: str, owner: str, lease_seconds: float) -> str | None:
        """Give ``owner`` the lease on the oldest claimable order of ``target`` (pending, or
        open with its lease run out) and mark it placing; its id, or None when there is none.

        A compensating order stays compensating (its worker only finishes the undoing).
        """
        now = self._clock()
        values = (owner, now + lease_seconds, now)
        if self._db.engine == "postgresql":
            row = self._db.execute(
                f"{_TAKE} WHERE order_id = (SELECT order_id FROM orders WHERE {_CLAIMABLE}"
                " ORDER BY created_at, order_id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                " RETURNING order_id",
                (*values, target, now),
            ).fetchone()
            return None if row is None else str(row[0])
        with self._db.transaction() as db:  # BEGIN IMMEDIATE: one claimer at a time
            row = db.execute(
                f"SELECT order_id FROM orders WHERE {_CLAIMABLE}"
                " ORDER BY created_at, order_id LIMIT 1",
                (target, now),
            ).fetchone()
            if row is None:
                return None
            db.execute(f"{_TAKE} WHERE order_id = ?", (*values, row[0]))
            return str(row[0])

    def defer(self, order_id: str, owner: str, seconds: float) -> bool:
        """Keep an open order nobody holds from being claimed for ``seconds`` (its outcome is
        still unknown: try again later, not at once); False if it is finished or held."""
        changed = self._db.execute(
            "UPDATE orders SET lease_owner = ?, lease_until = ? WHERE order_id = ?"
            " AND lease_owner IS NULL AND status IN ('pending', 'placing', 'compensating')",
            (owner, self._clock() + seconds, order_id),
        ).rowcount
        return bool(changed)

    def waiting(self, target: str) -> int:
        """How many open orders of ``target`` could be claimed now."""
        row = self._db.execute(
            f"SELECT COUNT(*) FROM orders WHERE {_CLAIMABLE}", (target, self._clock())
        ).fetchone()
        return int(row[0])
