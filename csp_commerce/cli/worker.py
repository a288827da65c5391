"""``csp-commerce worker``: place the orders ``Checkout.submit`` recorded, until stopped.

Claims the oldest pending order of the Partner Center it talks to (the sandbox's, or with
``--live`` the live partner's) from the ledger of ``--database`` and places it through the step
engine, then the next. Any number of workers, on any number of machines sharing one PostgreSQL
database, place each order exactly once. Between orders it finishes the orders of workers that
died (once their ``--lease`` ran out), places approved orders a dead process never placed, and
retries host notifications that failed.

SIGTERM or Ctrl-C (SIGINT) stops it cleanly: the step being sent finishes and its outcome is
recorded, no further step begins, the order's lease is given back for the next worker, and the
command exits 0. A second Ctrl-C stops it at once (the ledger still resumes the order).
``--until-idle`` stops when nothing is left to claim, ``--once`` after one order (for scripts
and cron).

Several workers on the sandbox share one sandbox served over HTTP: start ``csp-commerce
sandbox serve`` and give each worker ``--sandbox-url`` (the embedded sandbox is one file each
process would keep its own copy of). Exit codes: 0 every claimed order placed (or none
claimed), 1 an order failed for good, 4 an order's outcome is still unknown (it is retried),
70 an unexpected failure (logged with its traceback).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_PARTNER_CENTER, _env

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

    from csp_commerce.checkout import Checkout
    from csp_commerce.fulfilment.work_queue import WorkSummary
    from csp_commerce.provisioning import PartnerCenterClient
    from csp_commerce.store._db import Location
    from csp_commerce.store.partner_budget import SharedPartnerBudget

logger = logging.getLogger("csp_commerce.worker")


def register(subparsers: Any) -> None:
    """Add ``worker`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "worker", help="place submitted orders from the ledger until stopped", description=__doc__
    )
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--until-idle", action="store_true", help="stop when nothing is claimable")
    when.add_argument("--once", action="store_true", help="place at most one order, then stop")
    parser.add_argument("--max-orders", type=int, metavar="N", help="stop after N orders")
    parser.add_argument(
        "--lease",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long a dead worker's order waits before another takes it (default 300)",
    )
    parser.add_argument(
        "--poll",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="how long an idle worker waits before looking again (default 1)",
    )
    parser.add_argument(
        "--retry-after",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="when an order whose outcome is unknown is tried again (default 30)",
    )
    parser.add_argument(
        "--sandbox-url",
        metavar="URL",
        help="a sandbox served by 'csp-commerce sandbox serve', shared by several workers",
    )
    parser.add_argument(
        "--requests-per-minute",
        type=int,
        metavar="N",
        help=(
            "pace the Partner Center requests of every worker on this database at N per minute"
            " together (default: the documented rates live, unpaced on a served sandbox)"
        ),
    )
    _env.add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the worker until stopped; the exit code says how its orders went."""
    from csp_commerce.errors import ConfigurationError
    from csp_commerce.fulfilment.engine import target_of

    if args.sandbox_url and args.live:
        raise ConfigurationError("--sandbox-url is the sandbox's: it cannot go with --live")
    if args.lease <= 0 or args.poll <= 0 or args.retry_after < 0:
        raise ConfigurationError("--lease and --poll must be positive, --retry-after at least 0")
    stop = threading.Event()
    with (
        _env.Environment.from_args(args) as env,
        _worker_log(),
        contextlib.ExitStack() as cleanup,
    ):
        client = worker_client(env, args.sandbox_url)
        budget = worker_budget(
            env.store_location(_env.BUDGET_FILE), target_of(client), args.requests_per_minute
        )
        if budget is not None:
            cleanup.callback(budget.close)
            client = client.with_options(budget=budget)
        try:
            checkout = _checkout(env, client)
            logger.info(
                "worker on %s, ledger %s: started (SIGTERM or Ctrl-C stops it after the step"
                " in flight)",
                env.target_name,
                env.ledger.path,
            )
            with _StopOnSignals(stop):
                summary = checkout.work(
                    stop=stop,
                    max_orders=1 if args.once else args.max_orders,
                    until_idle=bool(args.until_idle or args.once),
                    poll_interval=args.poll,
                    lease_seconds=args.lease,
                    retry_after=args.retry_after,
                )
        finally:
            if client is not env.__dict__.get("client"):
                client.close()
    print(_summary_line(summary), flush=True)
    if summary.errors:
        return EXIT_INTERNAL
    if summary.failed:
        return EXIT_INVALID
    if summary.interrupted:
        return EXIT_PARTNER_CENTER
    return EXIT_OK


def _checkout(env: _env.Environment, client: PartnerCenterClient) -> Checkout:
    """A checkout placing through ``client`` into the environment's ledger (the host's
    installed plugins are told how each order ended)."""
    from csp_commerce.checkout import Checkout
    from csp_commerce.fulfilment.order_saga import Provisioner
    from csp_commerce.hooks.manager import HookManager

    hooks = HookManager()
    provisioner = Provisioner(client, env.ledger, hooks)
    env.check_client(provisioner.target)
    return Checkout(hooks=hooks, mca_log=env.mca_log, provisioner=provisioner)


@contextlib.contextmanager
def _worker_log() -> Iterator[None]:
    """What the worker does (each order claimed and how it ended) at INFO, shown without -v."""
    chosen = [
        logging.getLogger(name) for name in (logger.name, "csp_commerce.fulfilment.work_queue")
    ]
    levels = [one.level for one in chosen]
    for one in chosen:
        one.setLevel(min(logging.INFO, logging.getLogger("csp_commerce").getEffectiveLevel()))
    try:
        yield
    finally:
        for one, level in zip(chosen, levels, strict=True):
            one.setLevel(level)


def worker_budget(
    location: str | Location, target: str, requests_per_minute: int | None
) -> SharedPartnerBudget | None:
    """The request budget of a worker's client with every API family at
    ``requests_per_minute`` (None: the client's own), kept in the database ``location``, so
    every worker of the partner ``target`` (``target_of(client)``) on that database paces
    together and waits out a ``Retry-After`` any of them sees (``bench/bench_workers.py`` uses
    it too). Without ``--requests-per-minute`` a live worker's client already paces at Partner
    Center's documented rates through the same shared budget; one on a served sandbox is unpaced.
    """
    from csp_commerce.provisioning.pacing import DOCUMENTED_RATES
    from csp_commerce.store.partner_budget import budget_for

    if requests_per_minute is None:
        return None
    every = dict.fromkeys(DOCUMENTED_RATES, requests_per_minute)
    return budget_for(location, target, rates=every, default_rate=requests_per_minute)


def worker_client(env: _env.Environment, sandbox_url: str | None) -> PartnerCenterClient:
    """The worker's Partner Center client: the environment's, or one on a served sandbox."""
    if sandbox_url:
        from csp_commerce.provisioning import PartnerCenterClient
        from csp_commerce.sandbox import SandboxCredential

        # The sandbox's target (its credential's tenant), whatever URL it is served on.
        client = PartnerCenterClient(
            SandboxCredential(), base_url=sandbox_url, application_name="csp-commerce"
        )
    else:
        client = env.client
    return client


def _summary_line(summary: WorkSummary) -> str:
    parts = [f"{summary.placed} placed", f"{summary.failed} failed"]
    if summary.interrupted:
        parts.append(f"{summary.interrupted} interrupted (retried later)")
    if summary.busy:
        parts.append(f"{summary.busy} taken over by another worker")
    if summary.errors:
        parts.append(f"{summary.errors} unexpected failures")
    if summary.notified:
        parts.append(f"{summary.notified} notifications delivered again")
    ending = "stopped" if summary.stopped else "done"
    return f"worker {ending}: {', '.join(parts)}"


class _StopOnSignals:
    """Within the block, SIGTERM and SIGINT set ``stop`` (a second SIGINT interrupts at once);
    the previous handlers are put back on the way out."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> None:
        for number in (signal.SIGTERM, signal.SIGINT):
            self.previous[number] = signal.signal(number, self._handle)

    def _handle(self, number: int, _frame: object) -> None:
        if number == signal.SIGINT and self.stop.is_set():
            raise KeyboardInterrupt
        logger.warning("%s: stopping after the step in flight", signal.Signals(number).name)
        self.stop.set()

    def __exit__(self, *_: object) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)
