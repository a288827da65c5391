"""``csp-commerce users`` and ``csp-commerce licences``: a customer's users and licences.

A generated password is printed once, when the user is created (or imported, or reset), and
kept nowhere. Exit codes: 0 done, 1 refused (Problems on standard error), 2 unusable input or
a failure (e.g. licence management in 21Vianet China).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csp_commerce._files import write_atomically
from csp_commerce.cli import _env
from csp_commerce.cli._globals import add_confirmation, confirmed
from csp_commerce.cli.prices import (
    EXIT_OK,
    EXIT_PROBLEMS,
    add_format,
    print_json,
    print_problems,
    print_table,
)
from csp_commerce.errors import InputError

if TYPE_CHECKING:
    import argparse

    from csp_commerce.operations.user_manager import LicenceChange, UserManager
    from csp_commerce.provisioning.wire import SubscribedSku


def register(subparsers: Any) -> None:
    """Add ``users ...`` and ``licences`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "users", help="a customer's users and their licences", description=__doc__.split("\n\n")[0]
    )
    actions = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = actions.add_parser(
            name, help=help_text, description=help_text
        )
        _env.add_arguments(sub)
        sub.add_argument("--customer", required=True, help="the customer's tenant id")
        return sub

    listing = action("list", "the customer's users")
    add_format(listing, "table", "json")
    listing.set_defaults(func=run_list)

    create = action("create", "create a user (the password is generated unless given)")
    create.add_argument("--upn", required=True, help="user principal name (name@domain)")
    create.add_argument("--first-name", required=True)
    create.add_argument("--last-name", required=True)
    create.add_argument("--display-name", default=None, help="default: first and last name")
    create.add_argument("--usage-location", required=True, help="two-letter country code")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of generating one",
    )
    create.set_defaults(func=run_create)

    reset = action("reset-password", "reset a user's password (generated unless given)")
    reset.add_argument("user", metavar="USER", help="user id or user principal name")
    reset.add_argument("--password-stdin", action="store_true")
    reset.set_defaults(func=run_reset)

    licences = action("licences", "the licences assigned to a user")
    licences.add_argument("user", metavar="USER", help="user id")
    add_format(licences, "table", "json")
    licences.set_defaults(func=run_user_licences)

    delete = action("delete", "delete a user (kept inactive by Partner Center for 30 days)")
    delete.add_argument("user", metavar="USER", help="user id or user principal name")
    delete.add_argument(
        "--operation-id", default=None, help="idempotency key: the same id never deletes twice"
    )
    add_confirmation(delete)
    delete.set_defaults(func=run_delete)

    roles = action("roles", "the directory roles a user holds (e.g. Company Administrator)")
    roles.add_argument("user", metavar="USER", help="user id")
    add_format(roles, "table", "json")
    roles.set_defaults(func=run_roles)

    for name, help_text in (
        ("assign", "assign a licence (SKU id, part number or name), if a unit is free"),
        ("remove", "remove a licence from a user"),
    ):
        sub = action(name, help_text)
        sub.add_argument("user", metavar="USER", help="user id or user principal name")
        sub.add_argument("sku", metavar="SKU", help="SKU id, part number or name")
        sub.set_defaults(func=run_licence_change)

    importing = action("import", "create the users of a CSV file and assign their licences")
    importing.add_argument(
        "file", metavar="FILE", help="CSV (see csp_commerce.validation.users_csv)"
    )
    importing.set_defaults(func=run_import)

    export = action("export", "write the customer's users (and licences) as CSV")
    export.add_argument("--output", "-o", default=None, help="file to write (default: stdout)")
    export.set_defaults(func=run_export)

    skus = subparsers.add_parser(
        "licences",
        help="a customer's subscribed SKUs: total, consumed and available units",
        description="A customer's subscribed SKUs: total, consumed and available units.",
    )
    _env.add_arguments(skus)
    skus.add_argument("--customer", required=True, help="the customer's tenant id")
    add_format(skus, "table", "json")
    skus.set_defaults(func=run_skus)


def _manager(env: _env.Environment) -> UserManager:
    from csp_commerce.operations.user_manager import UserManager

    return UserManager(env.client, env.ledger)


def _password(args: argparse.Namespace) -> str | None:
    if not args.password_stdin:
        return None
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise InputError("--password-stdin: no password on standard input")
    return password


def run_list(args: argparse.Namespace) -> int:
    """``users list``."""
    with _env.Environment.from_args(args) as env:
        users = _manager(env).list(args.customer)
    if args.format == "json":
        print_json([user.to_wire() for user in users])
        return EXIT_OK
    print_table(
        f"Users of {args.customer}",
        ("id", "user principal name", "display name", "usage location", "state"),
        [(u.id, u.user_principal_name, u.display_name, u.usage_location, u.state) for u in users],
    )
    return EXIT_OK


def run_delete(args: argparse.Namespace) -> int:
    """``users delete USER``: asks first (``--yes``, ``--dry-run``)."""
    if not confirmed(args, f"delete user {args.user} of customer {args.customer}"):
        return EXIT_OK
    with _env.Environment.from_args(args) as env:
        deletion = _manager(env).delete(args.customer, args.user, operation_id=args.operation_id)
    if deletion.ok:
        print(f"deleted {deletion.user_id} (Partner Center keeps it inactive for 30 days)")
    return print_problems(deletion.problems)


def run_roles(args: argparse.Namespace) -> int:
    """``users roles USER``."""
    from csp_commerce.cli._render import emit

    with _env.Environment.from_args(args) as env:
        roles = list(env.client.users.directory_roles(args.customer, args.user))
    rows = [(role.id, role.name) for role in roles]
    emit(args.format, f"directory roles of {args.user}", ("role id", "name"), rows, roles)
    return EXIT_OK


def run_create(args: argparse.Namespace) -> int:
    """``users create``: prints a generated password once."""
    from pydantic import ValidationError

    from csp_commerce.models.user import NewUser

    try:
        new_user = NewUser(
            user_principal_name=args.upn,
            first_name=args.first_name,
            last_name=args.last_name,
            display_name=args.display_name or f"{args.first_name} {args.last_name}",
            usage_location=args.usage_location,
        )
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        raise InputError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    password = _password(args)
    with _env.Environment.from_args(args) as env:
        created = _manager(env).create(args.customer, new_user, password=password)
    if created.user is not None:
        print(f"created {created.user.user_principal_name} (id {created.user.id})")
        if created.generated_password is not None:
            secret = created.generated_password.get_secret_value()
            print(f"password (shown once, not stored): {secret}")
    return print_problems(created.problems)


def run_reset(args: argparse.Namespace) -> int:
    """``users reset-password``."""
    password = _password(args)
    with _env.Environment.from_args(args) as env:
        reset = _manager(env).reset_password(args.customer, args.user, password=password)
    if reset.ok:
        print(f"password of {reset.user_id} reset")
        if reset.generated_password is not None:
            secret = reset.generated_password.get_secret_value()
            print(f"password (shown once, not stored): {secret}")
    return print_problems(reset.problems)


def run_user_licences(args: argparse.Namespace) -> int:
    """``users licences``."""
    with _env.Environment.from_args(args) as env:
        licences = _manager(env).licences(args.customer, args.user)
    if args.format == "json":
        print_json([licence.to_wire() for licence in licences])
        return EXIT_OK
    products = [licence.product_sku or {} for licence in licences]
    print_table(
        f"Licences of {args.user}",
        ("sku id", "name", "part number"),
        [(p.get("id"), p.get("name"), p.get("skuPartNumber")) for p in products],
    )
    return EXIT_OK


def _units(sku: SubscribedSku | None) -> str:
    if sku is None:
        return ""
    return (
        f"{sku.consumed_units} of {sku.total_units} units consumed, {sku.available_units} available"
    )


def run_licence_change(args: argparse.Namespace) -> int:
    """``users assign`` / ``users remove``."""
    with _env.Environment.from_args(args) as env:
        manager = _manager(env)
        change: LicenceChange = (
            manager.assign(args.customer, args.user, args.sku)
            if args.users_command == "assign"
            else manager.remove(args.customer, args.user, args.sku)
        )
    if change.ok:
        verb = "assigned to" if change.action == "assign" else "removed from"
        print(f"{change.sku_id} {verb} {change.user_id}")
    if change.sku is not None:
        print(_units(change.sku))
    return print_problems(change.problems)


def run_import(args: argparse.Namespace) -> int:
    """``users import FILE``: every good row is created; bad rows are listed."""
    import io

    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {args.file}: {error}") from None
    with _env.Environment.from_args(args) as env:
        report = _manager(env).import_csv(args.customer, io.StringIO(text, newline=""))
    rows = []
    for row in report.rows:
        password = (
            row.generated_password.get_secret_value() if row.generated_password is not None else ""
        )
        rows.append(
            (
                row.user_principal_name,
                row.user.id if row.user else "not created",
                ";".join(row.licences_assigned),
                password,
            )
        )
    print_table(
        f"Imported {report.created} of {len(report.rows)} users (passwords shown once, not stored)",
        ("user principal name", "id", "licences", "password"),
        rows,
    )
    code = print_problems(report.problems)
    for row in report.rows:
        code = max(code, print_problems(row.problems))
    return EXIT_PROBLEMS if not report.ok else code


def run_export(args: argparse.Namespace) -> int:
    """``users export``."""
    with _env.Environment.from_args(args) as env:
        manager = _manager(env)
        if args.output:
            buffer = io.StringIO()
            count = manager.export_csv(args.customer, buffer)
            write_atomically(args.output, buffer.getvalue())
            print(f"{count} users written to {args.output}")
        else:
            manager.export_csv(args.customer, sys.stdout)
    return EXIT_OK


def run_skus(args: argparse.Namespace) -> int:
    """``licences --customer C``: the subscribed SKUs table."""
    with _env.Environment.from_args(args) as env:
        skus = _manager(env).skus(args.customer)
    if args.format == "json":
        print_json([sku.to_wire() for sku in skus])
        return EXIT_OK
    print_table(
        f"Licences of {args.customer}",
        ("sku id", "name", "part number", "total", "consumed", "available", "suspended"),
        [
            (
                s.product_sku.id,
                s.product_sku.name,
                s.product_sku.sku_part_number,
                s.total_units,
                s.consumed_units,
                s.available_units,
                s.suspended_units,
            )
            for s in skus
        ],
    )
    return EXIT_OK
