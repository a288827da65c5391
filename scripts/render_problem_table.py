"""Render the README's Problem-code table (code, field, parameters, English message) from the
catalogue, between ``<!-- problems:start -->`` and ``<!-- problems:end -->``.

    python scripts/render_problem_table.py           # rewrite the table in README.md
    python scripts/render_problem_table.py --check   # exit 1 if README.md's table is stale

``tests/test_readme_drift.py`` compares the README with :func:`table`.
"""

from __future__ import annotations

import argparse
import string
import sys
from pathlib import Path

from csp_commerce.models.catalogue import LIBRARY_TYPES

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- problems:start -->", "<!-- problems:end -->"


def parameters(template: str) -> list[str]:
    """The template's ``{name}`` fields, in order of first use."""
    names = (name for _, name, _, _ in string.Formatter().parse(template) if name)
    return list(dict.fromkeys(names))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table() -> str:
    """The table, one row per library code in catalogue order."""
    rows = [
        "| code | field | parameters | English message |",
        "|---|---|---|---|",
    ]
    for kind in LIBRARY_TYPES:
        params = ", ".join(f"`{name}`" for name in parameters(kind.template)) or "–"
        field = f"`{kind.field}`" if kind.field else "–"
        rows.append(f"| `{kind.code}` | {field} | {params} | {_cell(kind.template)} |")
    return "\n".join(rows)


def rendered(readme: str) -> str:
    """``readme`` with its table replaced by the current one."""
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; 1 if stale")
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    wanted = rendered(current)
    if current == wanted:
        return 0
    if args.check:
        print("README.md's Problem table is stale: run python scripts/render_problem_table.py")
        return 1
    README.write_text(wanted, encoding="utf-8")
    print("rewrote the Problem table in README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
