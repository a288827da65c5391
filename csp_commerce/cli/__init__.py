"""The ``csp-commerce`` command. Each sub-command lives in its own module with a ``register``."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import TYPE_CHECKING

from csp_commerce.errors import CSPCommerceError

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Modules that add sub-commands: each has ``register(subparsers)``, which sets ``func``.
COMMAND_MODULES: tuple[str, ...] = (
    "csp_commerce.cli.validate_address",
    "csp_commerce.cli.hooks",
    "csp_commerce.cli.sandbox",
    "csp_commerce.cli.demo",
    "csp_commerce.cli.checkout",
    "csp_commerce.cli.orders",
    "csp_commerce.cli.mca",
    "csp_commerce.cli.tenant",
    "csp_commerce.cli.partners",
    "csp_commerce.cli.discover",
    "csp_commerce.cli.subscriptions",
    "csp_commerce.cli.users",
    "csp_commerce.cli.billing",
    "csp_commerce.cli.prices",
)

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_HELD = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    """The command's argument parser, with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="csp-commerce",
        description="Checkout rules, Partner Center provisioning and a sandbox for CSP partners.",
    )
    from csp_commerce import __version__

    parser.add_argument("--version", action="version", version=f"csp-commerce {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code (0 ok, 1 something invalid, 2 unusable input,
    3 an order held for approval)."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
