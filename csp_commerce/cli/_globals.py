"""What every ``csp-commerce`` invocation shares: global options, exit codes, logging, scrubbing.

Global options are accepted before the sub-command (``csp-commerce --home /srv/csp orders list``)
and after it (``csp-commerce orders list --home /srv/csp``); the value written last wins.

Nothing secret reaches the terminal or a log line: :func:`scrub` replaces the values the command
knows are secret (the client secret, the MCA key, tokens it read) and anything shaped like a
token or a password assignment, including text a server echoes back inside an error message.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

#: Exit codes, the same for every sub-command (README, "The command").
EXIT_OK = 0  #: done
EXIT_INVALID = 1  #: Problems or a refusal: the input was understood and judged wanting
EXIT_USAGE = 2  #: usage, unusable input or unknown ids, configuration, damaged local state
EXIT_HELD = 3  #: an order held for approval
EXIT_PARTNER_CENTER = 4  #: Partner Center refused or failed, or the network did
EXIT_INTERNAL = 70  #: a defect in csp-commerce (the message says how to see the traceback)
EXIT_INTERRUPTED = 130  #: Ctrl-C

#: Top-level options that take a value (so the sub-command is not mistaken for one).
VALUE_OPTIONS = ("--home", "--database", "--profile")

#: Environment variables whose values are secrets, whatever they hold.
SECRET_VARIABLES = ("CSP_COMMERCE_CLIENT_SECRET", "CSP_COMMERCE_MCA_KEY")

REDACTED = "[redacted]"
_SECRETS: set[str] = set()
# A JWT (access and id tokens), a bearer credential, and ``name=value`` / ``"name": "value"``
# where the name says it is secret (query strings, form bodies, JSON echoed in errors).
_PATTERNS = (
    re.compile(r"eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(
        r"(?i)((?:client_secret|refresh_token|access_token|id_token|password|assertion|sig)"
        r"[\"']?\s*[:=]\s*[\"']?)[^\"'&\s,}]+"
    ),
)


def add_global_arguments(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """The global options, on the top-level parser (``top``) and on each sub-command.

    On a sub-command their default is ``SUPPRESS``, so a value given before the sub-command is
    not overwritten by the sub-command's default.
    """

    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    group = parser.add_argument_group("global options") if not top else parser
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default(0),
        help="show retries, throttling and request ids (-vv: every request, secrets redacted)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="show the traceback of an unexpected failure",
    )


def chosen_command(argv: Sequence[str], commands: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names: its first positional argument, stepping over the values of
    :data:`VALUE_OPTIONS`; None when there is none or it is not one of ``commands``."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            token = next(tokens, "")
        elif token in VALUE_OPTIONS:
            next(tokens, None)
            continue
        elif token.startswith("-"):
            continue
        return token if token in commands else None
    return None


def remember_secret(value: str | bytes | None) -> None:
    """Add a value that must never be shown (at least 4 characters; shorter ones are ignored)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if value and len(value) >= 4:
        _SECRETS.add(value)


def scrub(text: str) -> str:
    """``text`` with every known secret and every token-shaped value replaced by ``[redacted]``."""
    for name in SECRET_VARIABLES:
        remember_secret(os.environ.get(name))
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + REDACTED, text)
    return text


class _ScrubbingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def configure_logging(verbosity: int) -> Callable[[], None]:
    """Send the library's log to standard error: warnings always, ``-v`` retries and throttling
    (INFO), ``-vv`` every request (DEBUG); every line scrubbed. Returns the function that undoes
    it (the command calls it on its way out, so a host calling :func:`main` keeps its logging)."""
    logger = logging.getLogger("csp_commerce")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_ScrubbingFormatter("csp-commerce: %(levelname)s: %(message)s"))
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(
        logging.DEBUG if verbosity >= 2 else logging.INFO if verbosity == 1 else logging.WARNING
    )
    logger.propagate = False  # the line is shown once, by this handler

    def undo() -> None:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate

    return undo


def fail(message: str) -> None:
    """Print one scrubbed error line on standard error."""
    print(f"csp-commerce: error: {scrub(message)}", file=sys.stderr)


_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")


def plain_text(text: str) -> str:
    """reST inline markup as plain text: ``x`` and :role:`x` become x (help is read in a
    terminal, not rendered by Sphinx); a trailing ``::`` becomes ``:``."""
    text = _ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1], text)
    return _LITERAL.sub(r"\1", text).replace("::\n", ":\n")


def add_confirmation(parser: argparse.ArgumentParser) -> None:
    """``--yes`` and ``--dry-run`` for a command that destroys or stops something."""
    parser.add_argument("--yes", "-y", action="store_true", help="do it without asking")
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would be done, and do nothing"
    )


def confirmed(args: argparse.Namespace, what: str) -> bool:
    """Whether to go ahead with ``what`` (a sentence: "cancel subscription S of C").

    ``--dry-run`` prints it and answers False; ``--yes`` answers True; otherwise the person at
    a terminal is asked, and a script (no terminal on standard input) is refused with an
    :class:`InputError` naming ``--yes``, rather than left waiting or acting unasked.
    """
    from csp_commerce.errors import InputError

    if getattr(args, "dry_run", False):
        print(f"dry run: would {what}; nothing was changed")
        return False
    if getattr(args, "yes", False):
        return True
    if not sys.stdin.isatty():
        raise InputError(f"about to {what}: pass --yes to confirm (or --dry-run to see it only)")
    answer = input(f"{what[0].upper()}{what[1:]}? [y/N] ").strip().casefold()
    if answer not in ("y", "yes"):
        print("nothing was changed")
        return False
    return True


class RenamedOption(argparse.Action):
    """An old spelling of an option, still accepted with a one-line note naming the new one
    (so that one option name keeps one meaning across commands)."""

    def __init__(self, *args: Any, new: str, **kwargs: Any) -> None:
        self.new = new
        super().__init__(*args, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        print(
            f"csp-commerce: note: {option_string} here is now {self.new} ({option_string} names "
            "a customer's tenant id in every other command)",
            file=sys.stderr,
        )
        setattr(namespace, self.dest, values)


def add_reference_option(
    parser: argparse.ArgumentParser, *, required: bool = False, help_text: str
) -> None:
    """``--reference REF`` (the host's customer reference), with the old ``--customer``."""
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--reference", dest="customer", metavar="REF", help=help_text)
    group.add_argument(
        "--customer", dest="customer", action=RenamedOption, new="--reference",
        help=argparse.SUPPRESS,
    )  # fmt: skip


def whole_number(low: int, high: int, name: str = "--days") -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (a usage error otherwise)."""

    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number from {low} to {high}")
        return number

    return parse
