"""One renderer for billing reports and reconciliations: a table (rich), CSV and JSON.

Anything with a ``title``, ``columns``, ``rows()`` and ``json_data()`` (:class:`Tabular`) can be
rendered. Money cells carry their currency, so a table can format them per locale while CSV
keeps plain amounts (``1234.50``) that spreadsheets and scripts read back exactly.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

from csp_commerce.models.csv_cells import guard_cell

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TextIO


@dataclass(frozen=True)
class Money:
    """An amount in a currency, as one cell."""

    amount: Decimal
    currency: str


Cell: TypeAlias = str | int | Decimal | date | Money | None


@dataclass(frozen=True)
class Row:
    """One row of cells; ``emphasis`` marks subtotals and totals."""

    cells: tuple[Cell, ...]
    emphasis: bool = False


class Tabular(Protocol):
    """What the renderer needs from a report."""

    @property
    def title(self) -> str:
        """A one-line title."""
        ...

    @property
    def columns(self) -> Sequence[str]:
        """The column headers."""
        ...

    def rows(self) -> list[Row]:
        """The rows, one cell per column."""
        ...

    def json_data(self) -> Any:
        """The structured document (JSON-ready: strings, numbers, lists, dicts)."""
        ...


Format: TypeAlias = Literal["table", "csv", "json"]


def render(document: Tabular, fmt: Format = "table", *, locale: str | None = None) -> str:
    """``document`` as a table, CSV or JSON text."""
    if fmt == "table":
        return to_table(document, locale=locale)
    if fmt == "csv":
        return to_csv(document)
    if fmt == "json":
        return to_json(document)
    raise ValueError(f"unknown format {fmt!r}: choose table, csv or json")


def to_table(document: Tabular, *, locale: str | None = None) -> str:
    """A plain-text table (rich); money per ``locale`` when given, else plain amounts.

    The table is as wide as its content: no cell is cut short.
    """
    from rich.console import Console
    from rich.table import Table

    rows = [
        ([_table_cell(cell, locale) for cell in row.cells], row.emphasis) for row in document.rows()
    ]
    table = Table(title=document.title)
    widths = [len(column) for column in document.columns]
    for column in document.columns:
        table.add_column(column, no_wrap=True)
    for cells, emphasis in rows:
        widths = [max(width, len(cell)) for width, cell in zip(widths, cells, strict=True)]
        table.add_row(*cells, style="bold" if emphasis else None)
    buffer = io.StringIO()
    width = max(80, sum(widths) + 3 * len(widths) + 1)
    Console(file=buffer, width=width, color_system=None, force_terminal=False).print(table)
    return buffer.getvalue()


def to_csv(document: Tabular, stream: TextIO | None = None) -> str:
    """CSV with a header row; money as plain amounts. Also written to ``stream`` if given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(document.columns)
    for row in document.rows():
        writer.writerow([_csv_cell(cell) for cell in row.cells])
    text = buffer.getvalue()
    if stream is not None:
        stream.write(text)
    return text


def to_json(document: Tabular) -> str:
    """The structured document as indented JSON (amounts as exact decimal strings)."""
    return json.dumps(document.json_data(), indent=2, ensure_ascii=False)


def _plain(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Money):
        return str(cell.amount)
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def _csv_cell(cell: Cell) -> str:
    """Text guarded against spreadsheet formulas; amounts, numbers and dates as they are."""
    return guard_cell(cell) if isinstance(cell, str) else _plain(cell)


def _table_cell(cell: Cell, locale: str | None) -> str:
    if isinstance(cell, Money) and locale is not None:
        from csp_commerce.money.currency import format_money

        return format_money(cell.amount, cell.currency, locale)
    return _plain(cell)
