"""``csp-commerce problems``: every Problem code, its field and parameters, and its message.

The library's codes and those of installed host plugins that :func:`csp_commerce.define` them.
``--locale`` shows the messages in another language where the catalogue has it.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_OK
from csp_commerce.cli._render import emit
from csp_commerce.cli.prices import add_format

if TYPE_CHECKING:
    import argparse

COLUMNS = ("code", "field", "parameters", "message")


def register(subparsers: Any) -> None:
    """Add ``problems`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "problems", help="every Problem code with its parameters", description=__doc__
    )
    parser.add_argument("--code", metavar="PREFIX", help="only codes starting with it")
    add_format(parser, "table", "json", "csv")
    parser.set_defaults(func=run)


def parameters(template: str) -> list[str]:
    """The parameters a message template names, in order, each once."""
    names = (name for _, name, _, _ in string.Formatter().parse(template) if name)
    return list(dict.fromkeys(names))


def run(args: argparse.Namespace) -> int:
    """``problems``."""
    from csp_commerce.hooks.manager import HookManager
    from csp_commerce.models.catalogue import CATALOGUE

    HookManager()  # loads the installed host plugins, which define their codes
    kinds = sorted(
        (kind for kind in CATALOGUE.values() if kind.code.startswith(args.code or "")),
        key=lambda kind: kind.code,
    )
    records = [
        {"code": kind.code, "field": kind.field, "parameters": parameters(kind.template),
         "message": kind.template}
        for kind in kinds
    ]  # fmt: skip
    rows = [
        (kind.code, kind.field or "(order)", ", ".join(parameters(kind.template)), kind.template)
        for kind in kinds
    ]
    emit(args.format, f"{len(records)} Problem code(s)", COLUMNS, rows, records)
    return EXIT_OK
