"""A host's own sub-command: ``csp-commerce example-approvals`` shows the approval threshold.

Installed packages add sub-commands through the ``csp_commerce.commands`` entry-point group; the
module's ``register(subparsers)`` adds its command exactly as csp-commerce's own modules do.
"""

from __future__ import annotations

from typing import Any

from csp_commerce_example_plugin.rules import approval_seats


def register(subparsers: Any) -> None:
    """Add ``example-approvals`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "example-approvals", help="orders above how many seats wait for the sales desk"
    )
    parser.set_defaults(func=run)


def run(args: Any) -> int:
    """Print the threshold; exit 0."""
    print(f"orders above {approval_seats()} seats wait for the sales desk")
    return 0
