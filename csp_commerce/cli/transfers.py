"""``csp-commerce transfers list|create|accept``: partner-to-partner transfers of a customer's
new-commerce subscriptions.

``create`` (this partner takes the customer over) asks the customer's current partner for its
subscriptions; ``accept`` (this partner is the current one) submits a transfer another partner
created, with the subscriptions it moves (``--subscription ID[:SEATS]``, repeated). Both are
one recorded step each (``--operation-id`` makes a retry safe) and ask first (``--yes``,
``--dry-run``). Exit codes: 0 done, 1 refused (a Problem), 2 unusable input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_USAGE, _env
from csp_commerce.cli._globals import add_confirmation, confirmed
from csp_commerce.cli.prices import EXIT_OK, add_format, print_json, print_problems, print_table

if TYPE_CHECKING:
    import argparse

    from csp_commerce.operations.transfers import TransferResult


def register(subparsers: Any) -> None:
    """Add ``transfers ...`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "transfers",
        help="partner-to-partner transfers: list, create, accept",
        description=__doc__.split("\n\n")[0],
    )
    actions = parser.add_subparsers(dest="transfers_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = actions.add_parser(
            name, help=help_text, description=help_text
        )
        _env.add_arguments(sub)
        sub.add_argument("--customer", required=True, help="the customer's tenant id")
        add_format(sub, "table", "json")
        return sub

    def change(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = action(name, help_text)
        sub.add_argument("--operation-id", default=None, help="idempotency key")
        sub.add_argument("--actor", default=None, help="who makes the change (for the ledger)")
        add_confirmation(sub)
        return sub

    action("list", "the customer's transfers, incoming and outgoing").set_defaults(func=run_list)
    create = change("create", "ask the customer's current partner for its subscriptions")
    create.add_argument("--source-partner", required=True, help="its partner tenant id")
    create.add_argument("--source-name", required=True, help="its name")
    create.add_argument("--customer-email", required=True, help="where the customer is told")
    create.add_argument("--customer-name", default=None, help="the customer's name")
    create.set_defaults(func=run_create)
    accept = change("accept", "submit a transfer another partner created")
    accept.add_argument("transfer", metavar="TRANSFER", help="the transfer id")
    accept.add_argument(
        "--subscription",
        action="append",
        default=[],
        metavar="ID[:SEATS]",
        help="a subscription to move (every seat unless :SEATS); repeat for more",
    )
    accept.set_defaults(func=run_accept)


def run_list(args: argparse.Namespace) -> int:
    """``transfers list``."""
    from csp_commerce.operations.transfers import list_transfers

    with _env.Environment.from_args(args) as env:
        transfers = list_transfers(env.client, args.customer)
    if args.format == "json":
        print_json([t.to_wire() for t in transfers])
        return EXIT_OK
    print_table(
        f"Transfers of {args.customer}",
        ("id", "status", "from", "to", "lines", "created", "expires"),
        [
            (t.id, t.status, t.source_partner_name or t.source_partner_tenant_id or "",
             t.target_partner_tenant_id or "", len(t.line_items), t.created_time or "",
             t.expiration_time or "")
            for t in transfers
        ],
    )  # fmt: skip
    return EXIT_OK


def run_create(args: argparse.Namespace) -> int:
    """``transfers create``."""
    from csp_commerce.operations.transfers import create_transfer

    what = f"ask {args.source_name} for the subscriptions of customer {args.customer}"
    if not confirmed(args, what):
        return EXIT_OK
    with _env.Environment.from_args(args) as env:
        result = create_transfer(
            env.client,
            env.ledger,
            args.customer,
            source_partner_tenant_id=args.source_partner,
            source_partner_name=args.source_name,
            customer_email=args.customer_email,
            customer_name=args.customer_name,
            operation_id=args.operation_id,
            actor=args.actor,
        )
    return _report(result, args, "created")


def _lines(values: list[str]) -> list[tuple[str, int | None]] | None:
    lines: list[tuple[str, int | None]] = []
    for value in values:
        subscription, _, seats = value.partition(":")
        if not subscription or (seats and not seats.isdigit()):
            return None
        lines.append((subscription, int(seats) if seats else None))
    return lines


def run_accept(args: argparse.Namespace) -> int:
    """``transfers accept TRANSFER --subscription ID[:SEATS]...``."""
    from csp_commerce.operations.transfers import accept_transfer

    lines = _lines(args.subscription)
    if lines is None:
        import sys

        print("--subscription takes ID or ID:SEATS", file=sys.stderr)
        return EXIT_USAGE
    moved = ", ".join(f"{s} ({q or 'all'} seats)" for s, q in lines) or "nothing"
    what = f"submit transfer {args.transfer} of customer {args.customer}, moving {moved}"
    if not confirmed(args, what):
        return EXIT_OK
    with _env.Environment.from_args(args) as env:
        result = accept_transfer(
            env.client,
            env.ledger,
            args.customer,
            args.transfer,
            lines,
            operation_id=args.operation_id,
            actor=args.actor,
        )
    return _report(result, args, "submitted")


def _report(result: TransferResult, args: argparse.Namespace, verb: str) -> int:
    if args.format == "json":
        print_json(result.model_dump(mode="json", by_alias=True))
    elif result.ok and result.transfer is not None:
        again = " (already done earlier; nothing new sent)" if result.replayed else ""
        print(f"transfer {result.transfer.id} {verb}: {result.transfer.status}{again}")
        print(f"operation id {result.operation_id}, request id {result.request_id}")
    return print_problems(result.problems)
