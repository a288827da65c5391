"""A Partner Center request budget shared by every process that uses one database.

Partner Center throttles a partner tenant, not a process: several workers (on several machines)
that each pace themselves at the documented rate send that rate times the number of workers.
:class:`SharedPartnerBudget` keeps the budget in the database instead, keyed by the *target*
(cloud and partner tenant, as :func:`csp_commerce.fulfilment.target_of` names it) and the API
family, so that every process opening the same database draws on one bucket per family and
obeys one pause:

* a reservation is one write statement, atomic on both engines (SQLite holds the file's write
  lock for it, as ``BEGIN IMMEDIATE`` would; PostgreSQL's ``INSERT ... ON CONFLICT DO UPDATE
  ... RETURNING`` locks the family's row): it takes a place in the family's bucket by the rule
  of :func:`csp_commerce.models.rate_limits.reserve_place`, the target's pause included, and
  returns the bucket. One round trip; no lock is held while the caller waits for its place
  (the place is a time, not a lease);
* a ``Retry-After`` seen by one process (:meth:`SharedPartnerBudget.pause_until`) is one
  statement that only ever moves the target's pause later; every process's next reservation
  starts at or after it, and the clients re-check :meth:`SharedPartnerBudget.paused_until`
  after waiting, so a place reserved before the pause is not used during it.

Times are POSIX seconds (``time.time``), read on the process that reserves: hosts sharing a
budget must keep their clocks in step (NTP); a skew of ``s`` seconds can let ``s * rate`` more
requests through in a window.

The clients use a budget through three methods (the ``Budget`` protocol of
:mod:`csp_commerce.provisioning.pacing`); this module does not import the client (stores know no
HTTP): :func:`budget_for` is what a host, a worker or the command passes to one.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from csp_commerce.models.rate_limits import (
    DEFAULT_REQUESTS_PER_MINUTE,
    DOCUMENTED_RATES,
    bucket_shape,
    start_of,
)
from csp_commerce.store._db import Database, connect
from csp_commerce.store._schema import Migration, upgrade

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Mapping

    from csp_commerce.store._db import Location

_STORE = "partner_budget"
_MIGRATIONS = (
    Migration(
        1,
        (
            """CREATE TABLE IF NOT EXISTS partner_budget (
    target  TEXT NOT NULL,          -- cloud API base and partner tenant (target_of)
    family  TEXT NOT NULL,          -- the API family (api_family)
    tokens  {real} NOT NULL,        -- may be negative: places promised ahead
    updated {real} NOT NULL,        -- the time tokens were counted at (POSIX seconds)
    PRIMARY KEY (target, family)
)""",
            """CREATE TABLE IF NOT EXISTS partner_pause (
    target  TEXT PRIMARY KEY,
    until   {real} NOT NULL         -- no attempt of the target starts before (Retry-After)
)""",
        ),
    ),
)


#: The target's pause (0.0: none), as a subquery.
_PAUSE = "(SELECT COALESCE(MAX(until), 0.0) FROM partner_pause WHERE target = :target)"

#: One reservation, in one statement:
#: :func:`~csp_commerce.models.rate_limits.reserve_place` over the family's row (a fresh,
#: full bucket the first time), returning the bucket after it. A single write statement is
#: atomic on both engines (SQLite takes the file's write lock for it, as ``BEGIN IMMEDIATE``
#: does; PostgreSQL locks the row and applies the update to its latest committed version), so
#: two processes never take the same place; and it is one round trip to the server.
_RESERVE = f"""
INSERT INTO partner_budget (target, family, tokens, updated)
SELECT :target, :family,
    CASE WHEN pause.until > :now THEN -1.0 ELSE :capacity - 1.0 END,
    CASE WHEN pause.until > :now THEN pause.until ELSE :now END
FROM (SELECT {_PAUSE} AS until) AS pause
WHERE true
ON CONFLICT (target, family) DO UPDATE SET
    tokens = CASE
        WHEN {_PAUSE} > partner_budget.updated AND {_PAUSE} > :now THEN -1.0
        WHEN :now > partner_budget.updated THEN CASE
            WHEN partner_budget.tokens + (:now - partner_budget.updated) * :rate > :capacity
            THEN :capacity
            ELSE partner_budget.tokens + (:now - partner_budget.updated) * :rate
        END - 1.0
        ELSE partner_budget.tokens - 1.0
    END,
    updated = CASE
        WHEN {_PAUSE} > partner_budget.updated AND {_PAUSE} > :now THEN {_PAUSE}
        WHEN :now > partner_budget.updated THEN :now
        ELSE partner_budget.updated
    END
RETURNING tokens, updated
"""
#: The statement with the stores' ``?`` parameters, and the names they stand for, in order.
_RESERVE_SQL = re.sub(r":([a-z]+)", "?", _RESERVE)
_RESERVE_NAMES = tuple(re.findall(r":([a-z]+)", _RESERVE))


def upgrade_partner_budget(db: Database) -> list[int]:
    """Bring a shared budget's schema up to date; the versions applied."""
    return upgrade(db, _STORE, _MIGRATIONS)


class SharedPartnerBudget:
    """A partner's request budget kept in a database (a path, ``sqlite:///`` or
    ``postgresql://`` URL): one token bucket per API family and one pause, shared by every
    process that opens the same database for the same ``target``.

    :param location: the database (see :func:`csp_commerce.store._db.locate`); on SQLite a file
        of its own is best (every reservation is a short write transaction on the file).
    :param target: whose budget: the client's cloud and partner tenant
        (:func:`csp_commerce.fulfilment.target_of`).
    :param rates: requests per minute by API family, merged over Partner Center's documented
        ones (:data:`csp_commerce.models.rate_limits.DOCUMENTED_RATES`). ``None`` paces nothing:
        the budget then only shares a ``Retry-After`` pause. Every process sharing a budget
        should use the same rates (each paces by its own figures on the shared bucket).
    :param default_rate: the rate of a family not in ``rates``.
    :param window: the limit's window in seconds (Partner Center's: a minute).
    :param clock: POSIX seconds (tests pass a virtual clock).

    Thread-safe. Each method is one statement, one round trip to the database (a median of a
    few milliseconds on a local PostgreSQL on a busy machine: ``bench/bench_shared_budget.py``
    prints it), which the async client makes on its event loop, as it calls the in-process
    budget.
    """

    def __init__(
        self,
        location: str | os.PathLike[str] | Location,
        target: str,
        *,
        rates: Mapping[str, int] | None = DOCUMENTED_RATES,
        default_rate: int = DEFAULT_REQUESTS_PER_MINUTE,
        window: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.target = target
        self.paced = rates is not None
        self.rates = {**DOCUMENTED_RATES, **rates} if rates is not None else {}
        self.default_rate = default_rate
        self.window = window
        self._shapes = {
            family: bucket_shape(rate, window, None) for family, rate in self.rates.items()
        }
        self._default_shape = bucket_shape(default_rate, window, None)
        self._clock = clock
        self._db = connect(location, store=_STORE, synchronous="NORMAL")
        try:
            upgrade_partner_budget(self._db)
        except BaseException:
            self._db.close()
            raise

    @property
    def location(self) -> Location:
        """Where the budget is kept."""
        return self._db.location

    def rate_of(self, family: str) -> int:
        """Requests per minute allowed to ``family``."""
        return self.rates.get(family, self.default_rate)

    def reserve(self, family: str) -> float:
        """Take the next place of ``family`` in the shared bucket: the time it may start.

        One statement (its own write transaction); the place is the caller's whether or not it
        waits for it.
        """
        now = self._clock()
        if not self.paced:
            return max(now, self.paused_until())
        capacity, rate = self._shapes.get(family, self._default_shape)
        values: dict[str, object] = {
            "target": self.target,
            "family": family,
            "now": now,
            "capacity": float(capacity),
            "rate": rate,
        }
        parameters = [values[name] for name in _RESERVE_NAMES]
        tokens, updated = self._db.execute(_RESERVE_SQL, parameters).fetchone()
        return start_of(float(tokens), float(updated), rate)

    def pause_until(self, until: float) -> None:
        """Hold every attempt of every process on this target until ``until`` (a
        ``Retry-After``); an earlier time than the current pause's end changes nothing."""
        self._db.execute(
            "INSERT INTO partner_pause (target, until) VALUES (?, ?)"
            " ON CONFLICT (target) DO UPDATE SET until = CASE"
            " WHEN excluded.until > partner_pause.until THEN excluded.until"
            " ELSE partner_pause.until END",
            (self.target, until),
        )

    def paused_until(self) -> float:
        """The end of the target's current pause (0.0 when there was none)."""
        row = self._db.execute(
            "SELECT until FROM partner_pause WHERE target = ?", (self.target,)
        ).fetchone()
        return float(row[0]) if row is not None else 0.0

    def seconds_for(self, requests: int, family: str) -> float:
        """The least time ``requests`` of ``family`` take at its limit (the limit's bound)."""
        return requests * self.window / self.rate_of(family)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> SharedPartnerBudget:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SharedPartnerBudget({str(self.location)!r}, {self.target!r})"


def budget_for(
    location: str | os.PathLike[str] | Location,
    target: str,
    *,
    rates: Mapping[str, int] | None = DOCUMENTED_RATES,
    default_rate: int = DEFAULT_REQUESTS_PER_MINUTE,
) -> SharedPartnerBudget:
    """The budget to give every client of ``target`` (``target_of(client)``) in every process
    that uses the database ``location``: pass it as the client's ``budget=``.

    ``PartnerCenterClient(credential, budget=budget_for(url, target))``: the processes then
    pace together at ``rates`` (Partner Center's documented ones by default) and all wait out a
    ``Retry-After`` any of them sees.
    """
    return SharedPartnerBudget(location, target, rates=rates, default_rate=default_rate)


__all__ = ["SharedPartnerBudget", "budget_for", "upgrade_partner_budget"]
