"""Workers: claim submitted orders from the ledger and place them, on any number of machines.

``Checkout.submit`` records an approved order as ``pending``; an :class:`OrderWorker` claims
the oldest claimable order (``Ledger.queue``: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite), with a lease, and places it through the step engine. A worker
that dies mid-order leaves its lease to run out; the next claim of that order finishes it
through the ledger's steps (each sent again under its recorded ``MS-RequestId``, never bought
twice). Between orders a worker retries the host notifications that failed, and whatever the
caller's ``housekeeping`` finds to queue (``Checkout.work``: approved orders a dead process
never placed).

Stopping is clean: when ``stop`` is set, the step being sent finishes (its outcome is recorded)
and the worker stops before the next step, gives its lease back at once and returns; the
next worker takes the order up from there.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from csp_commerce.errors import OrderBusyError, ProvisioningInterrupted, WorkerStopping
from csp_commerce.fulfilment.engine import StepEngine, default_owner
from csp_commerce.fulfilment.order_saga import Provisioner

if TYPE_CHECKING:
    from collections.abc import Callable

    from csp_commerce.fulfilment.engine import Result
    from csp_commerce.fulfilment.program import Program
    from csp_commerce.models import ProvisioningOutcome

logger = logging.getLogger(__name__)

#: How many of its latest outcomes a :class:`WorkSummary` keeps.
KEPT_OUTCOMES = 100


class _StoppableEngine(StepEngine):
    """The step engine, refusing to begin a step once ``stop`` is set: the step in flight
    finishes with its outcome recorded, and no new one starts."""

    stop: threading.Event

    def step_program(
        self, operation_id: str, key: str, kind: str, **options: Any
    ) -> Program[Result]:
        if self.stop.is_set():
            raise WorkerStopping(f"stopped before step {key} of {operation_id}")
        return (yield from super().step_program(operation_id, key, kind, **options))


@dataclass
class WorkSummary:
    """What one :meth:`OrderWorker.run` (``Checkout.work``) did."""

    placed: int = 0  #: orders placed
    failed: int = 0  #: orders that failed for good (what was done was undone; the host told)
    interrupted: int = 0  #: orders whose outcome is still unknown: claimed again later
    busy: int = 0  #: orders another worker took over (this worker's lease had run out)
    errors: int = 0  #: unexpected failures (logged with their traceback; claimed again later)
    notified: int = 0  #: host notifications delivered on a retry
    queued: int = 0  #: orders the housekeeping queued (approved orders never placed)
    stopped: bool = False  #: the stop event ended the run
    #: The latest outcomes (at most :data:`KEPT_OUTCOMES`: a worker may run for months).
    outcomes: deque[ProvisioningOutcome] = field(
        default_factory=lambda: deque(maxlen=KEPT_OUTCOMES)
    )

    @property
    def claimed(self) -> int:
        """Orders this run claimed."""
        return self.placed + self.failed + self.interrupted + self.busy + self.errors


class OrderWorker:
    """Claims and places the submitted orders of one Partner Center (the provisioner's).

    :param provisioner: its client, ledger and hooks are used; the worker has an owner name
        and engine of its own.
    :param stop: set it (a signal handler, another thread) to stop after the step in flight.
    :param lease_seconds: how long a claimed order stays this worker's without a new step:
        a worker killed mid-order holds it up that long.
    :param retry_after: how long an interrupted order (Partner Center's answer still unknown)
        waits before it is claimed again.
    :param poll_interval: how long an idle worker waits before looking again.
    :param notify_every: how often failed host notifications are retried.
    :param housekeeping: called when nothing is claimable; returns how many orders it queued.
    """

    def __init__(
        self,
        provisioner: Provisioner,
        *,
        stop: threading.Event | None = None,
        lease_seconds: float | None = None,
        retry_after: float = 30.0,
        poll_interval: float = 1.0,
        notify_every: float = 60.0,
        housekeeping: Callable[[], int] | None = None,
    ) -> None:
        self.stop = stop if stop is not None else threading.Event()
        lease = lease_seconds if lease_seconds is not None else provisioner.lease_seconds
        self.provisioner = Provisioner(
            provisioner.client,
            provisioner.ledger,
            provisioner.hooks,
            owner=default_owner(),
            lease_seconds=lease,
            lock_wait=provisioner.engine.lock_wait,
        )
        engine = _StoppableEngine(
            provisioner.client,
            provisioner.ledger,
            owner=self.provisioner.owner,
            lease_seconds=lease,
            lock_wait=provisioner.engine.lock_wait,
        )
        engine.stop = self.stop
        self.provisioner.engine = engine
        self.ledger = provisioner.ledger
        self.owner = self.provisioner.owner
        self.target = self.provisioner.target
        self.lease_seconds = lease
        self.retry_after = retry_after
        self.poll_interval = poll_interval
        self.notify_every = notify_every
        self.housekeeping = housekeeping
        self._next_notify = 0.0

    def run(self, *, max_orders: int | None = None, until_idle: bool = False) -> WorkSummary:
        """Claim and place orders until ``stop`` is set, ``max_orders`` have been claimed, or
        (``until_idle``) nothing is left to claim now."""
        summary = WorkSummary()
        logger.info("worker %s: looking for orders on %s", self.owner, self.target)
        while not self.stop.is_set():
            if max_orders is not None and summary.claimed >= max_orders:
                break
            order_id = self.ledger.queue.claim(self.target, self.owner, self.lease_seconds)
            if order_id is not None:
                self._place(order_id, summary)
                continue
            if self._tidy(summary):
                continue
            if until_idle:
                break
            self.stop.wait(self.poll_interval)
        summary.stopped = self.stop.is_set()
        logger.info(
            "worker %s: %s; %d placed, %d failed, %d interrupted",
            self.owner,
            "stopped" if summary.stopped else "done",
            summary.placed,
            summary.failed,
            summary.interrupted,
        )
        return summary

    def _place(self, order_id: str, summary: WorkSummary) -> None:
        logger.info("worker %s: placing order %s", self.owner, order_id)
        try:
            outcome = self.provisioner.run_claimed(order_id)
        except WorkerStopping as stopped:
            # The lease was given back: the next worker goes on from the last step recorded.
            logger.info(
                "worker %s: order %s left for the next worker: %s", self.owner, order_id, stopped
            )
            return
        except ProvisioningInterrupted as interrupted:
            summary.interrupted += 1
            self.ledger.queue.defer(order_id, self.owner, self.retry_after)
            logger.warning(
                "order %s interrupted, retried in %gs: %s", order_id, self.retry_after, interrupted
            )
            return
        except OrderBusyError as busy:
            summary.busy += 1
            logger.warning("order %s: %s", order_id, busy)
            return
        except Exception:
            summary.errors += 1
            self.ledger.queue.defer(order_id, self.owner, self.retry_after)
            logger.exception(
                "order %s failed unexpectedly; retried in %gs", order_id, self.retry_after
            )
            return
        summary.outcomes.append(outcome)
        if outcome.placed:
            summary.placed += 1
        else:
            summary.failed += 1
        logger.info(
            "worker %s: order %s %s", self.owner, order_id, "placed" if outcome.placed else "failed"
        )

    def _tidy(self, summary: WorkSummary) -> bool:
        """With nothing to claim: queue what ``housekeeping`` finds and retry due host
        notifications; True if an order was queued (claim again at once)."""
        queued = self.housekeeping() if self.housekeeping is not None else 0
        summary.queued += queued
        now = time.monotonic()
        if now >= self._next_notify:
            self._next_notify = now + self.notify_every
            for record in self.ledger.unnotified(self.target):
                self.provisioner.recorded(record.order_id)  # tells the host, marks it told
                latest = self.ledger.order(record.order_id)
                if latest is not None and latest.notified:
                    summary.notified += 1
        return queued > 0


__all__ = ["OrderWorker", "WorkSummary"]
