"""``csp-commerce renewals --days N``: what renews, moves to the extended term or ends soon.

A subscription left with only auto-renew off is shown as moving to the (paid) extended term,
with its cost next to today's when ``--price-list`` is given. Exit codes: 0 done, 2 unusable
input or a failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csp_commerce.cli import _env
from csp_commerce.cli._globals import whole_number
from csp_commerce.cli.prices import EXIT_OK, add_format, load_price_list, print_json, print_table

if TYPE_CHECKING:
    import argparse

    from csp_commerce.operations.renewals import Renewal


#: How far ahead the report looks at most: ten years (terms run three years at most).
MAX_DAYS = 3660


def register(subparsers: Any) -> None:
    """Add ``renewals`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "renewals",
        help="what renews, moves to the extended term or ends in the next N days",
        description=__doc__.split("\n\n")[0],
    )
    _env.add_arguments(parser)
    parser.add_argument(
        "--days", type=whole_number(0, MAX_DAYS), default=30, help="how far ahead (default 30)"
    )
    parser.add_argument(
        "--customer",
        action="append",
        default=None,
        help="a customer's tenant id (repeat; default: every customer)",
    )
    parser.add_argument(
        "--price-list", metavar="FILE", default=None, help="price the extended term from it"
    )
    add_format(parser, "table", "json")
    parser.set_defaults(func=run)


def _outcome(renewal: Renewal) -> str:
    text = renewal.outcome.value.replace("_", " ")
    if not renewal.explicit:
        text += " (auto-renew off only)"
    return text


def _money(value: object) -> str:
    return "" if value is None else str(value)


def run(args: argparse.Namespace) -> int:
    """``renewals``."""

    from csp_commerce.operations.renewals import renewals_report

    price_list = load_price_list(args.price_list) if args.price_list else None
    with _env.Environment.from_args(args) as env:
        report = renewals_report(
            env.client, days=args.days, customer_ids=args.customer, price_list=price_list
        )
    if args.format == "json":
        print_json(report.model_dump(mode="json", by_alias=True))
        return EXIT_OK
    print_table(
        f"Term ends from {report.as_of:%Y-%m-%d} to {report.until:%Y-%m-%d}",
        ("term ends", "customer", "subscription", "offer", "seats", "outcome", "currency",
         "monthly cost", "extended term / month", "difference"),
        [
            (f"{r.term_end:%Y-%m-%d}", r.customer_id, r.subscription_id, r.offer_name or "",
             r.quantity, _outcome(r), r.currency or "", _money(r.monthly_cost),
             _money(r.extended_term_monthly_cost), _money(r.cost_difference))
            for r in report.renewals
        ],
    )  # fmt: skip
    return EXIT_OK
