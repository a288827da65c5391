"""``csp-commerce sandbox serve|seed``: the Partner Center sandbox on a local port, and a
partner's existing customer base seeded into the embedded sandbox (for ``discover``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from csp_commerce.cli._globals import whole_number
from csp_commerce.errors import ConfigurationError

ADMIN_TOKEN_ENV = "CSP_COMMERCE_SANDBOX_ADMIN_TOKEN"


def register(subparsers: Any) -> None:
    """Add ``sandbox serve`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "sandbox", help="run the built-in Partner Center sandbox", description=__doc__
    )
    actions = parser.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    serve = actions.add_parser(
        "serve",
        help="serve the sandbox over HTTP (Partner Center's paths and JSON)",
        description="Serve the sandbox over HTTP until interrupted. Clients authenticate with "
        "'Authorization: Bearer sandbox-user' (app+user) or 'Bearer sandbox-app' (app-only). "
        "The sandbox's own routes (/sandbox/v1/...) take only the admin token: --admin-token, "
        f"or ${ADMIN_TOKEN_ENV}, or a random one printed at start.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (0: any free port)")
    serve.add_argument("--state", metavar="FILE", help="start from a saved world (JSON)")
    serve.add_argument(
        "--save",
        metavar="FILE",
        help="save the world here (atomically) after every change and on exit",
    )
    serve.add_argument(
        "--admin-token",
        metavar="TOKEN",
        default=None,
        help=f"bearer token for /sandbox/v1/... (default: ${ADMIN_TOKEN_ENV}, else random)",
    )
    serve.add_argument("--seed", type=int, default=0, help="seed for ids and faults")
    serve.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="share of requests that fail, spread over 5xx, timeouts, resets and "
        "commit-then-drop (0-1)",
    )
    serve.add_argument("--latency-ms", type=float, default=0.0, help="added latency per request")
    serve.add_argument(
        "--rate-limit", type=int, default=None, help="requests per minute per partner"
    )
    serve.add_argument(
        "--customer-rate-limit",
        type=int,
        default=None,
        help="requests per minute per partner and customer",
    )
    serve.set_defaults(func=run_serve)
    seed = actions.add_parser(
        "seed",
        help="add existing customers with subscriptions to the embedded sandbox",
        description="Add related customers, each with active subscriptions, to the embedded "
        "sandbox's world (as a partner's customer base stood before discovery first looked).",
    )
    seed.add_argument("--customers", type=int, default=20, help="how many customers (default 20)")
    seed.add_argument(
        "--subscriptions", type=int, default=3, help="subscriptions per customer (default 3)"
    )
    seed.add_argument("--home", type=Path, default=argparse.SUPPRESS, help="data directory")
    seed.set_defaults(func=run_seed)
    advance = actions.add_parser(
        "advance",
        help="move the embedded sandbox's time ahead (term ends, renewals, extended term)",
        description="Move the embedded sandbox's time ahead by whole days: subscriptions whose "
        "term ends by then renew, move to the extended term or expire when next read.",
    )
    advance.add_argument(
        "--days", type=whole_number(1, 3660), required=True, help="days to move ahead (1-3660)"
    )
    advance.add_argument("--home", type=Path, default=argparse.SUPPRESS, help="data directory")
    advance.set_defaults(func=run_advance)


def run_advance(args: argparse.Namespace) -> int:
    """Move the embedded sandbox's time ahead and keep it for the next commands."""
    from csp_commerce.cli._env import Environment

    if not 0 < args.days <= 3660:
        raise ConfigurationError("--days must be 1-3660")
    with Environment(getattr(args, "home", None)) as env:
        world = env.sandbox.world
        world.clock_offset += args.days * 86_400
        offset_days = world.clock_offset / 86_400
    print(f"the sandbox's time is now {offset_days:g} days ahead of the clock")
    return 0


def run_seed(args: argparse.Namespace) -> int:
    """Seed the embedded sandbox's world and keep it for the next commands."""
    from csp_commerce.cli._env import Environment
    from csp_commerce.sandbox.seed_discovery import seed_sandbox

    if not 0 < args.customers <= 100_000 or not 0 <= args.subscriptions <= 100:
        raise ConfigurationError("--customers must be 1-100000 and --subscriptions 0-100")
    with Environment(getattr(args, "home", None)) as env:
        before = len(env.sandbox.world.customers)
        seed_sandbox(env.sandbox, args.customers, args.subscriptions, prefix=f"seeded{before}")
        total = len(env.sandbox.world.customers)
    print(
        f"seeded {args.customers} customers with {args.subscriptions} subscriptions each "
        f"({total} customers in the sandbox at {env.sandbox_path})"
    )
    return 0


def run_serve(args: argparse.Namespace) -> int:
    """Build the sandbox from the arguments and serve it."""
    from csp_commerce.sandbox import FaultPlan, Sandbox, SandboxServer

    try:
        plan = FaultPlan.uniform(
            args.fault_rate,
            seed=args.seed,
            latency_seconds=args.latency_ms / 1000,
            rate_limit_per_partner=args.rate_limit,
            rate_limit_per_customer=args.customer_rate_limit,
        )
    except ValueError as error:
        raise ConfigurationError(str(error)) from None
    given = args.admin_token or os.environ.get(ADMIN_TOKEN_ENV) or None
    options: dict[str, Any] = {"seed": args.seed, "faults": plan, "admin_token": given}
    if args.save:
        options["autosave"] = args.save
    # Sandbox.load raises ConfigurationError for a missing or damaged state file.
    sandbox = Sandbox.load(args.state, **options) if args.state else Sandbox(**options)
    try:
        server = SandboxServer(sandbox, args.host, args.port, deliver_webhooks_every=1.0)
    except OSError as error:
        raise ConfigurationError(f"cannot listen on {args.host}:{args.port}: {error}") from None
    print(f"Partner Center sandbox listening on {server.url} (Ctrl-C to stop)")
    shown = "as given" if given else sandbox.admin_token
    print(f"admin token for {server.url}/sandbox/v1/...: {shown}", flush=True)
    try:
        server.httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.httpd.server_close()
        if args.save:
            sandbox.save(args.save)
    return 0
