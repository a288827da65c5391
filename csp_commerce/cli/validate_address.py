"""``csp-commerce validate-address``: check addresses the way Partner Center will judge them."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from csp_commerce.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from csp_commerce.errors import InputError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

    from csp_commerce.hooks.manager import HookManager
    from csp_commerce.models import Problem

#: The longest line of ``--file`` we read as an address.
MAX_LINE = 100_000

# The flags of the single-address form, and the address fields they give.
_FLAG_FIELDS = {
    "country": "country",
    "postal_code": "postal_code",
    "state": "state",
    "city": "city",
}
# Fields the single-address form cannot give: not reported missing there.
_NOT_GIVEN_BY_FLAGS = frozenset(
    {"address_line1.required", "phone_number.required", "organization_registration_number.required"}
)


def register(subparsers: Any) -> None:
    """Add ``validate-address`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "validate-address",
        help="check postal codes, states and required fields by country",
        description=(
            "Check addresses as Partner Center will: the country, the postal code's format "
            "and state, and the fields the country requires. Either one address from "
            "--country/--postal-code/--state/--city (those fields only), or --file with one "
            "JSON address per line (Partner Center's camelCase or snake_case names), each "
            "checked in full as at checkout. Exit 0: all valid; 1: some invalid; "
            "2: unusable input."
        ),
    )
    parser.add_argument("--file", metavar="F", help="JSON Lines file of addresses ('-': stdin)")
    parser.add_argument("--country", help="two-letter ISO country code, e.g. US")
    parser.add_argument("--postal-code", help="postal code, e.g. 98052")
    parser.add_argument("--state", help="state or province code, e.g. WA")
    parser.add_argument("--city", help="city")
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per address: valid, problems"
    )
    parser.add_argument("--locale", help="render messages for this locale, e.g. de_DE")
    parser.set_defaults(func=run)


@dataclass
class _Result:
    """The verdict on one input: its Problems, or why it could not be read."""

    label: str
    summary: str = ""
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None


def run(args: argparse.Namespace) -> int:
    """Validate the addresses; print one verdict per address; return the exit code."""
    flags = {name: getattr(args, name) for name in _FLAG_FIELDS if getattr(args, name) is not None}
    if args.file is not None and flags:
        raise InputError("give either --file or --country/--postal-code/--state/--city, not both")
    if args.file is None and "country" not in flags:
        raise InputError("give --country (with --postal-code, --state, --city) or --file F")
    locale = _check_locale(args.locale)

    from csp_commerce.hooks.manager import HookManager

    manager = HookManager()
    if args.file is None:
        results = [_judge(manager, flags, "address", partial=True)]
    else:
        results = list(_judge_file(manager, args.file))
        if not results:
            raise InputError(f"{args.file}: no address in it (one JSON object per line)")
    for result in results:
        if args.json:
            print(_as_json(result, locale))
        else:
            print(_as_text(result, locale))
        if result.error is not None:
            print(f"csp-commerce: {result.label}: {result.error}", file=sys.stderr)
    if not args.json and len(results) > 1:
        print(_totals(results))
    if any(result.error is not None for result in results):
        return EXIT_USAGE
    return EXIT_INVALID if any(result.problems for result in results) else EXIT_OK


def _judge_file(manager: HookManager, path: str) -> Iterator[_Result]:
    for number, line in _lines(path):
        label = f"line {number}"
        if len(line) > MAX_LINE:
            yield _Result(label, error=f"over {MAX_LINE} characters")
            continue
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield _Result(label, error="not UTF-8 text")
            continue
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            yield _Result(label, error=f"not JSON ({error})")
            continue
        yield _judge(manager, data, label, partial=False)


def _lines(path: str) -> Iterator[tuple[int, bytes]]:
    if path == "-":
        yield from enumerate(sys.stdin.buffer, start=1)
        return
    try:
        stream: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    with stream:
        yield from enumerate(stream, start=1)


def _judge(manager: HookManager, data: Any, label: str, *, partial: bool) -> _Result:
    from csp_commerce.models.catalogue.address_codes import CONTROL_CHARACTERS
    from csp_commerce.validation.address_rules import control_character_fields, parse_address

    try:
        address = parse_address(data)
    except InputError as error:
        return _Result(label, error=str(error))
    bad = control_character_fields(data)
    problems = [CONTROL_CHARACTERS(field=name) for name in bad]
    for problem in manager.validate_address(address):
        if problem.field in bad or (partial and problem.code in _NOT_GIVEN_BY_FLAGS):
            continue
        problems.append(problem)
    state_postal = " ".join(filter(None, [address.state, address.postal_code]))
    parts = [address.address_line1, address.city, state_postal]
    summary = f"{address.country:<3}" + ", ".join(part for part in parts if part)
    return _Result(label, summary=summary, problems=problems)


def _check_locale(locale: str | None) -> str:
    if locale is None:
        return "en"
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(locale.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        raise InputError(f"unknown locale {locale!r} (use e.g. en, de_DE, fr-FR)") from None
    return locale


def _message(problem: Problem, locale: str) -> str:
    if locale == "en":
        return problem.message
    from csp_commerce.models.catalogue import render_problem

    return render_problem(problem, locale)


def _as_json(result: _Result, locale: str) -> str:
    verdict: dict[str, Any] = {
        "valid": result.error is None and not result.problems,
        "problems": [
            {
                "code": problem.code,
                "field": problem.field,
                "message": _message(problem, locale),
                "params": problem.params,
            }
            for problem in result.problems
        ],
    }
    if result.error is not None:
        verdict["error"] = result.error
    return json.dumps(verdict)


def _as_text(result: _Result, locale: str) -> str:
    if result.error is not None:
        return _printable(f"{result.label:<8}  unusable  {result.error}")
    verdict = "INVALID" if result.problems else "valid"
    lines = [f"{result.label:<8}  {verdict:<8}  {_clip(result.summary, 70)}"]
    width = max((len(problem.field or "") for problem in result.problems), default=0)
    for problem in result.problems:
        lines.append(f"{'':<20}{problem.field or '':<{width}}  {_message(problem, locale)}")
    return _printable("\n".join(lines))


def _totals(results: list[_Result]) -> str:
    unusable = sum(1 for result in results if result.error is not None)
    invalid = sum(1 for result in results if result.problems)
    valid = len(results) - unusable - invalid
    text = f"\n{len(results)} addresses: {valid} valid, {invalid} invalid"
    return text + (f", {unusable} unusable" if unusable else "")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _printable(text: str) -> str:
    """``text`` safe for a terminal: control and unpaired characters shown as escapes."""
    return "".join(
        char if char.isprintable() or char in "\n " else f"\\u{ord(char):04x}" for char in text
    )
