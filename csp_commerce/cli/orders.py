"""``csp-commerce orders list|show|resume``: the provisioning ledger, and finishing what stopped.

``list`` shows every recorded order and its status, ``show ID`` an order's saga steps with
their durable MS-RequestIds and its outcome, ``resume`` finishes every order a dead or
interrupted process left pending or half placed (it reads back before resending anything).

Each works on the orders of one Partner Center only: the sandbox's, or with ``--live`` the
live partner's (each has a ledger of its own, and only records made against that Partner
Center are shown or resumed), so a sandbox order is never listed, let alone sent, with
``--live``.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_INVALID, EXIT_OK, _env
from csp_commerce.errors import InputError

if TYPE_CHECKING:
    import argparse

    from csp_commerce.store.ledger import OrderRecord, Step


def register(subparsers: Any) -> None:
    """Add ``orders`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "orders", help="list, show and resume orders from the ledger", description=__doc__
    )
    actions = parser.add_subparsers(dest="orders_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every recorded order and its status")
    listing.add_argument(
        "--status", choices=("pending", "placing", "placed", "failed"), help="only this status"
    )
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)
    show = actions.add_parser("show", help="one order: steps, request ids, outcome")
    show.add_argument("order_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=run_show)
    resume = actions.add_parser("resume", help="finish orders a stopped process left unfinished")
    resume.set_defaults(func=run_resume)
    for action in (listing, show, resume):
        _env.add_arguments(action)


def run_list(args: argparse.Namespace) -> int:
    """Print the ledger's orders."""
    from rich.table import Table

    from csp_commerce.cli import _render
    from csp_commerce.store.ledger import OrderStatus

    with _env.Environment.from_args(args) as env:
        status = OrderStatus(args.status) if args.status else None
        records = env.ledger.orders(status, target=env.target)
        where = env.target_name
    if args.json:
        print(json.dumps([_record_json(record) for record in records], indent=2))
        return EXIT_OK
    table = Table(title=f"{len(records)} order(s) on {where}")
    for column in ("order", "customer", "status", "created", "updated"):
        table.add_column(column)
    for record in records:
        table.add_row(
            record.order_id,
            record.customer_ref,
            record.status.value,
            _when(record.created_at),
            _when(record.updated_at),
        )
    _render.console().print(table)
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    """Print one order's steps and outcome."""
    from csp_commerce.cli import _render
    from csp_commerce.models import ProvisioningOutcome

    with _env.Environment.from_args(args) as env:
        record = env.ledger.order(args.order_id)
        if record is None or record.target != env.target:
            raise InputError(
                f"no order {args.order_id!r} on {env.target_name} (ledger {env.ledger.path})"
            )
        steps = env.ledger.steps(record.order_id)
    if args.json:
        data = _record_json(record)
        data["steps"] = [_step_json(step) for step in steps]
        print(json.dumps(data, indent=2))
        return EXIT_OK
    out = _render.console()
    out.print(
        f"[bold]order {record.order_id}[/bold]: {record.status.value}, customer "
        f"{record.customer_ref}, correlation id {record.correlation_id}"
    )
    out.print(_render.steps_table(steps))
    if record.outcome is not None:
        out.print(_render.outcome_table(ProvisioningOutcome.model_validate(record.outcome)))
    return EXIT_OK


def run_resume(args: argparse.Namespace) -> int:
    """Finish every unfinished order, and every subscription change whose outcome a stopped
    process left unknown; print what was finished."""
    from csp_commerce.cli import _render
    from csp_commerce.cli.checkout import make_checkout
    from csp_commerce.operations import SubscriptionManager

    out = _render.console()
    with _env.Environment.from_args(args) as env:
        checkout = make_checkout(env)
        assert checkout.provisioner is not None  # make_checkout always gives one
        target = checkout.provisioner.target
        unfinished = len(env.ledger.unfinished(target))
        changes = [s for s in env.ledger.sent_steps(target) if s.key == "change"]
        if not unfinished and not changes:
            out.print(
                f"nothing to resume on {env.target_name}: every recorded order is placed or failed"
            )
            return EXIT_OK
        outcomes = checkout.resume()
        finished = SubscriptionManager(env.client, env.ledger).resume() if changes else []
    for outcome in outcomes:
        out.print(_render.outcome_table(outcome))
    failed = sum(1 for outcome in outcomes if not outcome.placed)
    refused = sum(1 for change in finished if change.problems)
    out.print(
        f"resumed {len(outcomes)} of {unfinished} unfinished order(s): "
        f"{len(outcomes) - failed} placed, {failed} failed"
    )
    if changes:
        out.print(
            f"finished {len(finished)} subscription change(s) left unknown: "
            f"{len(finished) - refused} made, {refused} refused"
        )
    incomplete = len(outcomes) < unfinished
    return EXIT_INVALID if failed or refused or incomplete else EXIT_OK


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _iso(epoch: float) -> str:
    """A ledger time for JSON: ISO 8601 in UTC, with its offset."""
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


def _record_json(record: OrderRecord) -> dict[str, Any]:
    return {
        "orderId": record.order_id,
        "customerReference": record.customer_ref,
        "status": record.status.value,
        "correlationId": record.correlation_id,
        "createdAt": _iso(record.created_at),
        "updatedAt": _iso(record.updated_at),
        "outcome": _outcome_json(record.outcome),
    }


def _outcome_json(outcome: dict[str, Any] | None) -> dict[str, Any] | None:
    """A recorded outcome with the model's camelCase names (the ledger keeps field names)."""
    if outcome is None:
        return None
    from csp_commerce.models import ProvisioningOutcome

    dumped: dict[str, Any] = ProvisioningOutcome.model_validate(outcome).model_dump(
        mode="json", by_alias=True
    )
    return dumped


def _step_json(step: Step) -> dict[str, Any]:
    return {
        "key": step.key,
        "kind": step.kind,
        "status": step.status.value,
        "attempts": step.attempts,
        "requestId": step.request_id,
        "intent": _camel(step.intent),
        "result": _camel(step.result),
        "error": _camel(step.error),
    }


def _camel(value: Any) -> Any:
    """A step's recorded data with camelCase names, as every JSON the command prints."""
    from pydantic.alias_generators import to_camel

    if isinstance(value, dict):
        return {to_camel(str(key)): _camel(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_camel(item) for item in value]
    return value
