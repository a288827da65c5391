"""Bulk import and export of customer users as CSV.

Columns: user principal name, first name, last name, display name, usage location, licences
(SKU ids separated by ``;``). Headers are matched without regard to case, spaces or
underscores (``userPrincipalName`` and ``User principal name`` both work; ``Licenses`` too).
A bad row never raises: it becomes Problems whose field names the row as a spreadsheet shows it
(the header is row 1, the first user row 2), e.g. ``rows.3.user_principal_name``.
"""

from __future__ import annotations

import csv
import re
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from csp_commerce.models.catalogue.users_codes import (
    DUPLICATE_USER,
    EMPTY,
    EXTRA_CELLS,
    INVALID_LICENCES,
    INVALID_NAME,
    INVALID_PRINCIPAL_NAME,
    INVALID_USAGE_LOCATION,
    MISSING_COLUMN,
    UNKNOWN_COLUMN,
    UNREADABLE,
    USAGE_LOCATION_REQUIRED,
)
from csp_commerce.models.csv_cells import guard_cell, unguard_cell
from csp_commerce.models.user import NewUser

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import TextIO

    from csp_commerce.models.problem import Problem

#: Column headers written by :func:`write_users_csv`, per model field.
COLUMNS: dict[str, str] = {
    "user_principal_name": "User principal name",
    "first_name": "First name",
    "last_name": "Last name",
    "display_name": "Display name",
    "usage_location": "Usage location",
    "licences": "Licences",
}
REQUIRED_COLUMNS = ("user_principal_name", "display_name")
_HEADER_ALIASES: dict[str, str] = {
    **{re.sub(r"[\s_-]", "", name): name for name in COLUMNS},
    "upn": "user_principal_name",
    "licenses": "licences",
    "licence": "licences",
    "license": "licences",
}
_NAME_LIMITS = {"first_name": (0, 64), "last_name": (0, 64), "display_name": (1, 256)}


def read_users_csv(stream: TextIO) -> tuple[list[NewUser], list[Problem]]:
    """The users of a CSV file, and Problems for every bad header or row (never an exception).

    Blank rows are skipped. A row with Problems yields no user; the other rows still do.
    """
    reader = csv.reader(stream)
    problems: list[Problem] = []
    try:
        header = next(reader, None)
        if header is None:
            return [], [EMPTY()]
        fields = _header_fields(header, problems)
        if any(p.code == MISSING_COLUMN.code for p in problems):
            return [], problems
        users: list[NewUser] = []
        first_rows: dict[str, int] = {}
        for row_number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            user = _read_row(row_number, cells, fields, problems)
            if user is None:
                continue
            key = user.user_principal_name.casefold()
            if key in first_rows:
                problems.append(
                    DUPLICATE_USER(
                        field=f"rows.{row_number}.user_principal_name",
                        value=user.user_principal_name,
                        first_row=first_rows[key],
                    )
                )
                continue
            first_rows[key] = row_number
            users.append(user)
    except (csv.Error, UnicodeDecodeError) as exc:
        problems.append(UNREADABLE(field=f"rows.{reader.line_num}", reason=str(exc)))
        return [], problems
    return users, problems


def write_users_csv(users: Iterable[NewUser], stream: TextIO) -> None:
    """Write ``users`` with a header row; :func:`read_users_csv` reads the file back."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS.values())
    for user in users:
        writer.writerow(
            [
                guard_cell(user.user_principal_name),
                guard_cell(user.first_name or ""),
                guard_cell(user.last_name or ""),
                guard_cell(user.display_name),
                user.usage_location or "",
                guard_cell(";".join(user.licences)),
            ]
        )


def _header_fields(header: list[str], problems: list[Problem]) -> list[str | None]:
    fields: list[str | None] = []
    for index, title in enumerate(header):
        cleaned = title.lstrip("\ufeff").strip()
        field = _HEADER_ALIASES.get(re.sub(r"[\s_-]", "", cleaned.casefold()))
        if field is None and cleaned:
            problems.append(UNKNOWN_COLUMN(column=cleaned, field=f"columns.{index + 1}"))
        fields.append(field)
    for required in REQUIRED_COLUMNS:
        if required not in fields:
            problems.append(MISSING_COLUMN(column=COLUMNS[required]))
    return fields


def _read_row(
    row_number: int, cells: list[str], fields: list[str | None], problems: list[Problem]
) -> NewUser | None:
    prefix = f"rows.{row_number}"
    if len(cells) > len(fields) and any(cell.strip() for cell in cells[len(fields) :]):
        problems.append(EXTRA_CELLS(field=prefix))
        return None
    values: dict[str, Any] = {}
    for field, cell in zip(fields, cells, strict=False):
        if field is None:
            continue
        text = unguard_cell(cell.strip())
        if field == "licences":
            values[field] = tuple(text.split(";")) if text else ()
        elif text or field in REQUIRED_COLUMNS:
            values[field] = text
    try:
        return NewUser.model_validate(values)
    except ValidationError as error:
        problems.extend(_row_problems(prefix, values, error))
        return None


def _row_problems(prefix: str, values: dict[str, Any], error: ValidationError) -> list[Problem]:
    found: list[Problem] = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        where = f"{prefix}.{field}" if field else prefix
        value = str(values.get(field, ""))
        if field == "user_principal_name":
            found.append(INVALID_PRINCIPAL_NAME(field=where, value=value))
        elif field == "usage_location":
            found.append(INVALID_USAGE_LOCATION(field=where, value=value))
        elif field in _NAME_LIMITS:
            low, high = _NAME_LIMITS[field]
            found.append(
                INVALID_NAME(field=where, column=COLUMNS[field].lower(), minimum=low, maximum=high)
            )
        elif field == "licences":
            found.append(INVALID_LICENCES(field=where))
        else:  # the model-level rule: licences without a usage location
            found.append(USAGE_LOCATION_REQUIRED(field=f"{prefix}.usage_location"))
    return found
