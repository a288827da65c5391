"""``csp-commerce billing``: billing reports of what was sold, and invoice reconciliation.

Sales come from Partner Center's subscriptions priced with a price list (the mapping is in
:mod:`csp_commerce.operations.sales`); customer references from the ledger's placed orders.
``billing reconcile`` exits 1 when the invoice and the sales differ. The reconciliation v2
exports it reads are remembered by eTag in the target's ``exports.sqlite3`` (or its schema of
``--database``), so a run over data unchanged since an earlier run downloads no blob.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import _env
from csp_commerce.cli.prices import (
    EXIT_OK,
    EXIT_PROBLEMS,
    add_format,
    load_price_list,
    print_table,
)
from csp_commerce.errors import ConfigurationError, InputError

if TYPE_CHECKING:
    import argparse

    from csp_commerce.operations.sales import SalesCollection

#: The store of the reconciliation v2 exports already read (by eTag), per target.
EXPORTS_FILE = "exports.sqlite3"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--date {text!r} is not a date like 2024-03-16") from None


def register(subparsers: Any) -> None:
    """Add ``billing report|reconcile|invoices`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "billing", help="billing reports and invoice reconciliation", description=__doc__
    )
    actions = parser.add_subparsers(dest="billing_command", metavar="ACTION", required=True)

    report = actions.add_parser(
        "report",
        help="the billing report of the last cycle complete before a date",
        description="One billing report per cycle: grouped by customer and subscription, "
        "each charge with its quantity, cost, price and margin.",
    )
    _env.add_arguments(report)
    report.add_argument("--price-list", metavar="FILE", required=True, help="price list JSON")
    report.add_argument(
        "--cycle-end-day", type=int, default=15, help="the day your billing cycle ends (1-31)"
    )
    report.add_argument(
        "--date", default=None, help="the report's date (default today): it covers the last "
        "cycle complete before it",
    )  # fmt: skip
    report.add_argument("--customer", action="append", default=None, help="only this tenant")
    report.add_argument("--locale", default=None, help="format money for a locale (table)")
    add_format(report, "table", "csv", "json")
    report.set_defaults(func=run_report)

    reconcile = actions.add_parser(
        "reconcile",
        help="compare an invoice's line items with the sales records",
        description="Every difference between Partner Center's invoice and what was sold.",
    )
    _env.add_arguments(reconcile)
    which = reconcile.add_mutually_exclusive_group(required=True)
    which.add_argument("--invoice", help="the invoice id (e.g. G000000001)")
    which.add_argument(
        "--unbilled",
        action="store_true",
        help="the current period's charges not invoiced yet (reconciliation v2)",
    )
    reconcile.add_argument(
        "--currency", default="USD", help="with --unbilled: the billing currency (default USD)"
    )
    reconcile.add_argument(
        "--api",
        choices=("auto", "v1"),
        default="auto",
        help="auto (default): reconciliation v2, v1 for legacy invoices; v1: periods before "
        "the v2 cut-over only",
    )
    reconcile.add_argument("--price-list", metavar="FILE", required=True)
    reconcile.add_argument("--locale", default=None)
    add_format(reconcile, "table", "csv", "json")
    reconcile.set_defaults(func=run_reconcile)

    invoices = actions.add_parser("invoices", help="list invoices (sandbox: --generate)")
    _env.add_arguments(invoices)
    invoices.add_argument(
        "--generate", metavar="YYYY-MM", default=None, help="sandbox only: run the invoice month"
    )
    invoices.set_defaults(func=run_invoices)

    statement = actions.add_parser("statement", help="download an invoice's PDF")
    _env.add_arguments(statement)
    statement.add_argument("invoice", metavar="INVOICE", help="the invoice id")
    statement.add_argument("--output", "-o", metavar="FILE", help="default: INVOICE.pdf")
    statement.set_defaults(func=run_statement)


def _unpriced(sales: SalesCollection) -> None:
    import sys

    for subscription_id in sales.unpriced:
        print(
            f"warning: subscription {subscription_id} has no price list entry; left out",
            file=sys.stderr,
        )


def run_report(args: argparse.Namespace) -> int:
    """``billing report``."""
    from csp_commerce.money import BillingCycleCalendar, render
    from csp_commerce.operations.sales import billing_report, customer_references

    price_list = load_price_list(args.price_list)
    try:
        calendar = BillingCycleCalendar(args.cycle_end_day)
    except ValueError as error:
        raise InputError(f"--cycle-end-day: {error}") from None
    day = _date(args.date) if args.date else dt.date.today()
    with _env.Environment.from_args(args) as env:
        report, sales = billing_report(
            env.client,
            price_list,
            calendar,
            day,
            references=customer_references(env.ledger),
            customer_ids=args.customer,
        )
    _unpriced(sales)
    print(render(report, args.format, locale=args.locale), end="")
    return EXIT_OK


def run_reconcile(args: argparse.Namespace) -> int:
    """``billing reconcile --invoice ID | --unbilled``."""
    import sys

    from csp_commerce.money import render
    from csp_commerce.operations.invoice_lines import StoredEtagMemory
    from csp_commerce.operations.sales import (
        customer_references,
        reconcile_invoice,
        reconcile_unbilled,
    )
    from csp_commerce.store.export_etags import ExportEtagStore

    price_list = load_price_list(args.price_list)
    if args.unbilled and args.api == "v1":
        raise InputError("--unbilled reads reconciliation v2 only (unbilled v1 is retired)")
    with (
        _env.Environment.from_args(args) as env,
        ExportEtagStore(env.store_location(EXPORTS_FILE)) as exports,
    ):
        references = customer_references(env.ledger)
        memory = StoredEtagMemory(exports)
        if args.unbilled:
            report, sales = reconcile_unbilled(
                env.client,
                price_list,
                currency_code=args.currency.upper(),
                references=references,
                memory=memory,
            )
        else:
            report, sales = reconcile_invoice(
                env.client,
                args.invoice,
                price_list,
                references=references,
                memory=memory,
                use_v1=args.api == "v1",
            )
    _unpriced(sales)
    print(f"invoice lines from {report.source}", file=sys.stderr)
    for etag in memory.recalled:
        print(
            f"export {etag} unchanged since an earlier run: not downloaded again", file=sys.stderr
        )
    for row in report.bad_rows:
        print(f"error: unreadable invoice line: {row}", file=sys.stderr)
    print(render(report, args.format, locale=args.locale), end="")
    return EXIT_OK if report.is_clean else EXIT_PROBLEMS


def run_invoices(args: argparse.Namespace) -> int:
    """``billing invoices [--generate YYYY-MM]``."""
    with _env.Environment.from_args(args) as env:
        if args.generate:
            if env.live:
                raise ConfigurationError("--generate runs the sandbox's invoice month only")
            try:
                year, month = (int(part) for part in args.generate.split("-"))
            except ValueError:
                raise InputError(f"--generate {args.generate!r} is not YYYY-MM") from None
            if not 1 <= month <= 12:
                raise InputError(f"--generate {args.generate!r}: month must be 1-12")
            env.sandbox.generate_invoice(year, month)
        invoices = list(env.client.invoices.list())
    print_table(
        "Invoices",
        ("id", "date", "period start", "period end", "total", "currency"),
        [
            (
                i.id,
                i.invoice_date,
                i.billing_period_start_date,
                i.billing_period_end_date,
                i.total_charges,
                i.currency_code,
            )
            for i in invoices
        ],
    )
    return EXIT_OK


def run_statement(args: argparse.Namespace) -> int:
    """``billing statement INVOICE``: the PDF written whole (an unknown invoice is exit 2)."""
    from csp_commerce._files import write_atomically

    with _env.Environment.from_args(args) as env:
        pdf = env.client.invoices.statement(args.invoice)
    target = args.output or f"{args.invoice}.pdf"
    write_atomically(target, pdf)
    print(f"wrote {len(pdf):,} bytes to {target}")
    return EXIT_OK
