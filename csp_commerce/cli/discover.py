"""``csp-commerce discover``: import a partner's customers, subscriptions and invoices.

Runs are incremental (only new or changed records reach the host's ``csp_discovered_*`` hooks)
and resumable: Ctrl-C stops after the customers in flight, and the next ``discover`` resumes.
Schedule it from cron or the host's task queue (twice a day is typical).
``discover --status`` shows the recorded runs.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_INVALID, EXIT_OK
from csp_commerce.cli._env import Environment, add_arguments
from csp_commerce.cli.partners import open_store
from csp_commerce.errors import ConfigurationError
from csp_commerce.provisioning.pacing import DEFAULT_REQUESTS_PER_MINUTE

if TYPE_CHECKING:
    from csp_commerce.models.discovery import DiscoveryRun
    from csp_commerce.store.discovery_store import DiscoveryStore

SANDBOX_PARTNER = "sandbox"
_RUN_COLUMNS = ("run", "partner", "state", "started", "finished", "customers", "handed", "error")


def register(subparsers: Any) -> None:
    """Add ``discover``."""
    parser = subparsers.add_parser(
        "discover", help="import customers, subscriptions and invoices", description=__doc__
    )
    parser.add_argument(
        "--partner", help="the partner account (default: the only one; 'sandbox' on the sandbox)"
    )
    parser.add_argument("--status", action="store_true", help="show the recorded runs and exit")
    parser.add_argument(
        "--restart", action="store_true", help="start a new full run instead of resuming"
    )
    parser.add_argument(
        "--requests-per-minute",
        type=positive_int,
        default=DEFAULT_REQUESTS_PER_MINUTE,
        help=f"the partner's rate limit (default {DEFAULT_REQUESTS_PER_MINUTE})",
    )
    parser.add_argument("--concurrency", type=positive_int, default=16, help="customers at once")
    parser.add_argument("--json", action="store_true", help="print the run(s) as JSON")
    add_arguments(parser)
    parser.set_defaults(func=_discover)


def _discover(args: argparse.Namespace) -> int:
    with Environment.from_args(args) as env, open_store(env) as store:
        partner = _partner(args, env, store)
        if args.status:
            return _status(store, partner, as_json=args.json)
        discovery = _discovery(args, env, store, partner)
        run = _run_with_progress(discovery, args)
    _summary(run, as_json=args.json)
    return EXIT_OK if run.state.value == "completed" else EXIT_INVALID


def _partner(args: argparse.Namespace, env: Environment, store: DiscoveryStore) -> str | None:
    if args.partner:
        return str(args.partner)
    if not env.live:
        return SANDBOX_PARTNER
    names = [account.name for account in store.partners()]
    if len(names) == 1:
        return names[0]
    if args.status:
        return None
    raise ConfigurationError(
        "name the partner account with --partner (registered: "
        + (", ".join(names) or "none; run 'csp-commerce partners add --live'")
        + ")"
    )


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _discovery(
    args: argparse.Namespace, env: Environment, store: DiscoveryStore, partner: str | None
) -> Any:
    from csp_commerce.hooks.manager import HookManager
    from csp_commerce.operations import Discovery

    assert partner is not None
    options: dict[str, Any] = {
        "requests_per_minute": args.requests_per_minute,
        "max_concurrency": args.concurrency,
        "stop_on_sigint": True,
    }
    if not env.live:
        from csp_commerce.sandbox import SandboxCredential

        return Discovery(
            partner,
            SandboxCredential(),
            store,
            HookManager(),
            transport=env.sandbox.transport(),
            **options,
        )
    from csp_commerce.models.clouds import Cloud
    from csp_commerce.operations.onboarding import credential_for

    account = store.partner(partner)
    if account is None:
        raise ConfigurationError(f"no partner account named {partner!r}: run 'partners add'")
    secret = os.environ.get("CSP_COMMERCE_CLIENT_SECRET")
    if not secret:
        raise ConfigurationError("--live discovery needs CSP_COMMERCE_CLIENT_SECRET")
    return Discovery(
        partner,
        credential_for(account, secret),
        store,
        HookManager(),
        cloud=Cloud(account.cloud),
        **options,
    )


def _run_with_progress(discovery: Any, args: argparse.Namespace) -> DiscoveryRun:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from csp_commerce.cli._render import console

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("customers", total=None)

        def advance(progress: Any) -> None:
            bar.update(task, completed=progress.customers_done, total=progress.customers_total)

        discovery.progress = advance
        run: DiscoveryRun = discovery.run(restart=args.restart)
    return run


def _run_json(run: DiscoveryRun) -> dict[str, Any]:
    return run.model_dump(mode="json", by_alias=True)


def _summary(run: DiscoveryRun, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(_run_json(run), indent=2))
        return
    from rich.table import Table

    from csp_commerce.cli._render import console

    counts = run.counts
    table = Table(title=f"Discovery of {run.partner}: run {run.id} {run.state.value}")
    table.add_column("records")
    table.add_column("seen", justify="right")
    table.add_column("new or changed", justify="right")
    table.add_row("customers", str(counts.customers_seen), str(counts.customers_handed))
    table.add_row(
        f"subscriptions (listed for {counts.subscriptions_fetched_for} customers)",
        str(counts.subscriptions_seen),
        str(counts.subscriptions_handed),
    )
    table.add_row("invoices", str(counts.invoices_seen), str(counts.invoices_handed))
    out = console()
    out.print(table)
    window = run.activity_since.isoformat() if run.activity_since else "full run"
    out.print(f"requests: {counts.requests}; activity since: {window}")
    if run.state.value == "stopped":
        out.print("stopped: run 'csp-commerce discover' again to resume")


def _status(store: DiscoveryStore, partner: str | None, *, as_json: bool) -> int:
    runs = store.runs(partner)
    if as_json:
        print(json.dumps([_run_json(run) for run in runs], indent=2))
        return EXIT_OK
    from rich.table import Table

    from csp_commerce.cli._render import console

    out = console()
    if not runs:
        out.print(f"{partner or 'every partner'}: not started")
        return EXIT_OK
    table = Table(title="Discovery runs")
    for column in (
        "run",
        "partner",
        "state",
        "started",
        "finished",
        "customers",
        "handed",
        "error",
    ):
        table.add_column(column, overflow="fold")
    for run in runs:
        counts = run.counts
        handed = counts.customers_handed + counts.subscriptions_handed + counts.invoices_handed
        table.add_row(
            str(run.id),
            run.partner,
            run.state.value,
            run.started_at.isoformat(),
            run.finished_at.isoformat() if run.finished_at else "-",
            str(counts.customers_seen),
            str(handed),
            run.error or "",
        )
    out.print(table)
    return EXIT_OK
