"""``csp-commerce prices show``: a price list file (JSON of :class:`PriceList`) as a table.

Also the helpers the operations commands share: reading a price list file, printing tables,
Problems and JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csp_commerce.cli._globals import add_reference_option
from csp_commerce.errors import InputError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable, Sequence

    from csp_commerce.models.price import PriceList
    from csp_commerce.models.problem import Problem

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def load_price_list(path: str | Path) -> PriceList:
    """Read a price list file (the JSON of :class:`~csp_commerce.money.PriceList`)."""
    from pydantic import ValidationError

    from csp_commerce.models.price import PriceList

    try:
        text = Path(path).read_text("utf-8")
    except OSError as error:
        raise InputError(f"cannot read price list {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a price list (not UTF-8 text)") from None
    try:
        return PriceList.model_validate_json(text)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "file"
        raise InputError(
            f"{path} is not a price list ({error.error_count()} error(s); {where}: {first['msg']})"
        ) from None


def add_format(parser: argparse.ArgumentParser, *choices: str) -> None:
    """``--format`` with the given choices (the first is the default)."""
    parser.add_argument(
        "--format",
        choices=choices,
        default=choices[0],
        help=f"output format (default {choices[0]})",
    )


def print_table(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[object]], *, file: Any = None
) -> None:
    """A plain-text table (rich), as wide as its content."""
    from rich.console import Console
    from rich.table import Table

    text_rows = [["" if cell is None else str(cell) for cell in row] for row in rows]
    table = Table(title=title)
    for column in columns:
        table.add_column(column, no_wrap=True)
    widths = [len(column) for column in columns]
    for row in text_rows:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
        table.add_row(*row)
    width = max(80, sum(widths) + 3 * len(widths) + 1)
    out = file or sys.stdout
    Console(file=out, width=width, color_system=None, force_terminal=False).print(table)


def print_json(data: Any) -> None:
    """Indented JSON on standard output."""
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_problems(problems: Iterable[Problem]) -> int:
    """Each Problem on standard error as ``problem [code] field: message``; returns the exit
    code: 0 without any, 2 when one says an id is unknown (``*.not_found``), else 1."""
    codes = []
    for problem in problems:
        codes.append(problem.code)
        where = f" {problem.field}:" if problem.field else ""
        print(f"problem [{problem.code}]{where} {problem.message}", file=sys.stderr)
    if any(code.endswith(".not_found") for code in codes):
        return EXIT_USAGE
    return EXIT_PROBLEMS if codes else EXIT_OK


def register(subparsers: Any) -> None:
    """Add ``prices show`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "prices", help="show a price list file", description=__doc__.split("\n\n")[0]
    )
    actions = parser.add_subparsers(dest="prices_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="the entries of a price list file, with margins")
    show.add_argument("price_list", metavar="FILE", help="a price list (JSON of PriceList)")
    show.add_argument("--locale", default=None, help="format money for a locale (e.g. de_DE)")
    add_reference_option(show, help_text="only this customer reference's own entries")
    add_format(show, "table", "json")
    show.set_defaults(func=run_show)


def run_show(args: argparse.Namespace) -> int:
    """Print the price list's entries: offer, cycle, term, customer, cost, list price, margin."""
    from csp_commerce.money.currency import format_money

    price_list = load_price_list(args.price_list)
    entries = [
        entry
        for entry in price_list.entries
        if args.customer is None or entry.customer_reference == args.customer
    ]
    if args.format == "json":
        print_json(
            price_list.model_copy(update={"entries": tuple(entries)}).model_dump(
                mode="json", by_alias=True
            )
        )
        return EXIT_OK

    def money(amount: Any, currency: str) -> str:
        return format_money(amount, currency, args.locale) if args.locale else str(amount)

    rows = []
    for entry in entries:
        margin = entry.unit_list_price - entry.unit_cost
        percent = f"{margin / entry.unit_list_price * 100:.1f}%" if entry.unit_list_price else "-"
        rows.append(
            (
                entry.offer_id,
                entry.billing_cycle.value,
                entry.term.value if entry.term else "any",
                entry.customer_reference or "(all)",
                entry.currency,
                money(entry.unit_cost, entry.currency),
                money(entry.unit_list_price, entry.currency),
                f"{money(margin, entry.currency)} ({percent})",
            )
        )
    print_table(
        f"Price list {price_list.name} ({price_list.cloud.value}, {len(entries)} entries)",
        ("offer", "billing", "term", "customer", "currency", "unit cost", "list price", "margin"),
        rows,
    )
    return EXIT_OK
