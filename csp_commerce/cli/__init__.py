"""The ``csp-commerce`` command. Each sub-command lives in its own module with a ``register``.

Start-up stays cheap: the top-level parser knows every sub-command's name and one-line help from
:data:`COMMANDS` alone, and only the module of the sub-command being run is imported (so
``csp-commerce --help`` imports none of them). :func:`build_parser` still builds the full parser,
every module imported, for tests and documentation.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import TYPE_CHECKING

from csp_commerce.errors import CSPCommerceError

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Every sub-command: its name → (the module whose ``register(subparsers)`` adds it and sets
#: ``func``, its one-line help). In the order ``csp-commerce --help`` lists them. A module may add
#: more than one sub-command (``users`` adds ``users`` and ``licences``); a test checks this table
#: against what the modules register.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate-address": (
        "csp_commerce.cli.validate_address",
        "check postal codes, states and required fields by country",
    ),
    "hooks": ("csp_commerce.cli.hooks", "list the hooks and the plugins implementing each"),
    "sandbox": ("csp_commerce.cli.sandbox", "run the built-in Partner Center sandbox"),
    "demo": ("csp_commerce.cli.demo", "run the main job against the built-in sandbox, narrated"),
    "checkout": (
        "csp_commerce.cli.checkout",
        "validate an order file and place it (sandbox by default)",
    ),
    "orders": ("csp_commerce.cli.orders", "list, show and resume orders from the ledger"),
    "mca": ("csp_commerce.cli.mca", "record, list, export and verify MCA acceptances"),
    "tenant": ("csp_commerce.cli.tenant", "reseller relationship: invitation link, acceptance"),
    "partners": ("csp_commerce.cli.partners", "register and list partner accounts"),
    "discover": ("csp_commerce.cli.discover", "import customers, subscriptions and invoices"),
    "subscriptions": (
        "csp_commerce.cli.subscriptions",
        "list and change a customer's subscriptions",
    ),
    "renewals": (
        "csp_commerce.cli.renewals",
        "what renews, moves to the extended term or ends in the next N days",
    ),
    "users": ("csp_commerce.cli.users", "a customer's users and their licences"),
    "licences": (
        "csp_commerce.cli.users",
        "a customer's subscribed SKUs: total, consumed and available units",
    ),
    "billing": ("csp_commerce.cli.billing", "billing reports and invoice reconciliation"),
    "prices": ("csp_commerce.cli.prices", "show a price list file"),
}

#: Modules that add sub-commands, each once, in :data:`COMMANDS` order.
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_HELD = 0, 1, 2, 3


def _parser(load: Sequence[str]) -> argparse.ArgumentParser:
    """The top-level parser with the sub-commands of the modules in ``load`` registered in full
    and every other sub-command as a bare entry (name and help, no options)."""
    parser = argparse.ArgumentParser(
        prog="csp-commerce",
        description="Checkout rules, Partner Center provisioning and a sandbox for CSP partners.",
    )
    from csp_commerce import __version__

    parser.add_argument("--version", action="version", version=f"csp-commerce {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    registered: set[str] = set()
    for name, (module_name, help_text) in COMMANDS.items():
        if module_name in load:
            if module_name not in registered:
                importlib.import_module(module_name).register(subparsers)
                registered.add(module_name)
        else:
            subparsers.add_parser(name, help=help_text)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The command's argument parser, with every sub-command registered (every module imported)."""
    return _parser(COMMAND_MODULES)


def chosen_command(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names: its first positional argument (the top-level options take
    no value), or None when there is none or it is not a sub-command."""
    for index, token in enumerate(argv):
        if token == "--":
            token = argv[index + 1] if index + 1 < len(argv) else ""
        elif token.startswith("-"):
            continue
        return token if token in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (0 ok, 1 something invalid, 2 unusable input,
    3 an order held for approval)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = chosen_command(argv)
    parser = _parser([COMMANDS[command][0]] if command is not None else [])
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):  # pragma: no cover - argparse chose another entry than we did
        args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except CSPCommerceError as error:
        print(f"csp-commerce: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("csp-commerce: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``csp-commerce hooks | head``): stop quietly, and keep Python
        # from complaining again while it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INVALID
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
