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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csp_commerce.cli._globals import (
    EXIT_HELD,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_PARTNER_CENTER,
    EXIT_USAGE,
    add_global_arguments,
    configure_logging,
    fail,
    plain_text,
)
from csp_commerce.cli._globals import chosen_command as _chosen_command
from csp_commerce.errors import (
    CSPCommerceError,
    NotFoundError,
    PartnerCenterError,
    TokenAcquisitionError,
)

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
    "orders": (
        "csp_commerce.cli.orders",
        "list, show, resume, approve and reject orders from the ledger",
    ),
    "mca": ("csp_commerce.cli.mca", "record, list, export and verify MCA acceptances"),
    "tenant": ("csp_commerce.cli.tenant", "reseller relationship: invitation link, acceptance"),
    "partners": ("csp_commerce.cli.partners", "register and list partner accounts"),
    "discover": ("csp_commerce.cli.discover", "import customers, subscriptions and invoices"),
    "subscriptions": (
        "csp_commerce.cli.subscriptions",
        "list and change a customer's subscriptions",
    ),
    "transfers": (
        "csp_commerce.cli.transfers",
        "partner-to-partner transfers: list, create, accept",
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
    "customers": ("csp_commerce.cli.customers", "list and show the partner's customers"),
    "catalog": (
        "csp_commerce.cli.catalog",
        "browse offers by country and segment; write an order template",
    ),
    "resellers": (
        "csp_commerce.cli.resellers",
        "indirect resellers: list, check an MPN id and its MPA",
    ),
    "audit": ("csp_commerce.cli.audit", "Partner Center's activity log (up to 90 days)"),
    "problems": ("csp_commerce.cli.problems", "every Problem code with its parameters"),
    "profiles": (
        "csp_commerce.cli.profiles",
        "named settings: list them, show one (secrets hidden)",
    ),
    "doctor": (
        "csp_commerce.cli.doctor",
        "check the data directory, credentials, token, connectivity and clock",
    ),
    "db": ("csp_commerce.cli.db", "upgrade the stores' schemas, prune old finished orders"),
    "gdap": (
        "csp_commerce.cli.gdap",
        "GDAP relationships: read, create, lock, terminate, assign, the template",
    ),
    "webhooks": (
        "csp_commerce.cli.webhooks",
        "register, test and receive Partner Center's events",
    ),
    "worker": ("csp_commerce.cli.worker", "place submitted orders from the ledger until stopped"),
}

#: Modules that add sub-commands, each once, in :data:`COMMANDS` order.
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))

__all__ = [
    "COMMANDS",
    "COMMAND_MODULES",
    "EXIT_HELD",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_PARTNER_CENTER",
    "EXIT_USAGE",
    "PLUGIN_GROUP",
    "build_parser",
    "chosen_command",
    "main",
    "plugin_commands",
]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose help shows the modules' reST docstrings as plain text: no
    double backquotes, no ``:func:`` roles; paragraphs kept (sub-command parsers are made from
    this class too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def format_help(self) -> str:
        return plain_text(super().format_help())


#: The entry-point group through which an installed package adds sub-commands: each entry is
#: ``name = "module"``, and the module's ``register(subparsers)`` adds the sub-command ``name``
#: (with ``func`` set), as the built-in modules do.
PLUGIN_GROUP = "csp_commerce.commands"


def plugin_commands() -> dict[str, tuple[str, str]]:
    """Sub-commands of installed packages (:data:`PLUGIN_GROUP`): name → (module, one-line help).

    Read from the packages' metadata only (nothing is imported); a name the command already has
    is ignored, so a plugin cannot replace a built-in command.
    """
    from importlib.metadata import entry_points

    found: dict[str, tuple[str, str]] = {}
    for point in entry_points(group=PLUGIN_GROUP):
        if point.name in COMMANDS or point.name in found:
            continue
        source = point.dist.name if point.dist is not None else point.module
        found[point.name] = (point.module, f"(plugin command from {source})")
    return found


def _parser(
    load: Sequence[str], plugins: dict[str, tuple[str, str]] | None = None
) -> argparse.ArgumentParser:
    """The top-level parser with the sub-commands of the modules in ``load`` registered in full
    and every other sub-command (built-in, and the ``plugins`` given) as a bare entry."""
    parser = _Parser(
        prog="csp-commerce",
        description="Checkout rules, Partner Center provisioning and a sandbox for CSP partners.",
    )
    from csp_commerce import __version__

    parser.add_argument("--version", action="version", version=f"csp-commerce {__version__}")
    parser.add_argument(
        "--home",
        type=Path,
        default=None,
        help="data directory (default: $CSP_COMMERCE_HOME or the user data directory)",
    )
    add_global_arguments(parser, top=True)
    from csp_commerce.cli._env import add_database_argument, add_profile_argument

    add_database_argument(parser)
    add_profile_argument(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    registered: set[str] = set()
    for name, (module_name, help_text) in {**COMMANDS, **(plugins or {})}.items():
        if module_name in load:
            if module_name not in registered:
                importlib.import_module(module_name).register(subparsers)
                registered.add(module_name)
        else:
            subparsers.add_parser(name, help=help_text)
    _add_globals_to_leaves(subparsers)
    return parser


def _add_globals_to_leaves(subparsers: argparse._SubParsersAction[Any]) -> None:
    """The global options on every sub-command (and sub-sub-command), after its own options."""
    for parser in dict.fromkeys(subparsers.choices.values()):
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            for action in nested:
                _add_globals_to_leaves(action)
        else:
            add_global_arguments(parser, top=False)


def build_parser() -> argparse.ArgumentParser:
    """The command's argument parser, with every sub-command registered (every module imported)."""
    return _parser(COMMAND_MODULES)


def chosen_command(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names (its first positional argument, past the values of the
    global options), or None when there is none or it is not a sub-command."""
    return _chosen_command(argv, tuple(COMMANDS))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (README, "The command": 0 ok, 1 Problems or a
    refusal, 2 unusable input (an unknown id too) or local state, 3 held for approval,
    4 Partner Center or the network failed, 70 a defect, 130 interrupted). No traceback is
    printed unless ``--debug``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = chosen_command(argv)
    if command is not None:
        parser = _parser([COMMANDS[command][0]])
    else:  # --help, no command, or a plugin's: only then are installed packages looked at
        plugins = plugin_commands()
        plugin = _chosen_command(argv, tuple(plugins))
        parser = _parser([plugins[plugin][0]] if plugin else [], plugins)
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):  # pragma: no cover - argparse chose another entry than we did
        args = build_parser().parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    undo_logging = configure_logging(int(getattr(args, "verbose", 0) or 0))
    try:
        code: int = args.func(args)
    except NotFoundError as error:  # an id the operator gave that Partner Center does not know
        fail(str(error))
        return EXIT_USAGE
    except (PartnerCenterError, TokenAcquisitionError) as error:  # sent, or signing in, failed
        fail(str(error))
        return EXIT_PARTNER_CENTER
    except CSPCommerceError as error:
        fail(str(error))
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("csp-commerce: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``csp-commerce hooks | head``): stop quietly, and keep Python
        # from complaining again while it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INVALID
    except Exception as error:  # a defect: one line, the traceback only when asked for
        if debug:
            raise
        fail(
            f"unexpected {type(error).__name__}: {error} (a defect in csp-commerce; run again "
            "with --debug for the traceback)"
        )
        return EXIT_INTERNAL
    finally:
        undo_logging()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
