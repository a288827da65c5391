"""``csp-commerce audit``: Partner Center's activity log (who changed what, up to 90 days back).

Records come as Partner Center keeps them, newest last; ``--customer`` keeps one customer's.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_OK, _env
from csp_commerce.cli._globals import whole_number
from csp_commerce.cli._render import emit
from csp_commerce.cli.prices import add_format

if TYPE_CHECKING:
    import argparse

COLUMNS = ("date", "operation", "status", "resource", "customer", "by")
#: Partner Center keeps audit records for 90 days.
MAX_DAYS = 90


def register(subparsers: Any) -> None:
    """Add ``audit`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "audit", help="Partner Center's activity log (up to 90 days)", description=__doc__
    )
    parser.add_argument(
        "--days",
        type=whole_number(1, MAX_DAYS),
        default=7,
        help=f"how far back (1-{MAX_DAYS}, default 7)",
    )
    parser.add_argument("--customer", metavar="TENANT_ID", help="only this customer's records")
    add_format(parser, "table", "json", "csv")
    _env.add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """``audit``."""
    start = datetime.now(timezone.utc) - timedelta(days=args.days)
    with _env.Environment.from_args(args) as env:
        records = [
            record
            for record in env.client.audit_records.list(start)
            if args.customer is None or record.customer_id == args.customer
        ]
    rows = [
        (
            record.operation_date,
            record.operation_type,
            record.operation_status,
            record.resource_type,
            record.customer_name or record.customer_id,
            record.user_principal_name or record.application_id,
        )
        for record in records
    ]
    emit(args.format, f"{len(records)} audit record(s), last {args.days} day(s)", COLUMNS,
         rows, records)  # fmt: skip
    return EXIT_OK
