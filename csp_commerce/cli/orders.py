"""``csp-commerce orders list|show|resume|held|approve|reject``: the provisioning ledger,
finishing what stopped, and the orders held for approval.

``list`` shows every recorded order and its status, ``show ID`` an order's saga steps with
their durable MS-RequestIds and its outcome, ``resume`` finishes every order a dead or
interrupted process left pending or half placed (it reads back before resending anything) and
places every approved order a dead process never placed. ``held`` lists the orders the
``csp_approve_order`` hook held, ``approve ID`` releases one (judged again by today's facts,
then placed through the step engine), ``reject ID --reason TEXT`` refuses one for good.

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

    from csp_commerce.store.approvals import HeldOrder
    from csp_commerce.store.ledger import OrderRecord, Step


def register(subparsers: Any) -> None:
    """Add ``orders`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "orders",
        help="list, show, resume, approve and reject orders from the ledger",
        description=__doc__,
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
    held = actions.add_parser("held", help="orders held for approval, waiting for a person")
    held.add_argument(
        "--status",
        choices=("held", "approved", "rejected", "all"),
        default="held",
        help="which decisions to list (default: those still waiting)",
    )
    held.add_argument("--json", action="store_true", help="print JSON")
    held.set_defaults(func=run_held)
    approve = actions.add_parser("approve", help="release a held order: it is placed")
    approve.add_argument("order_id", metavar="ID")
    approve.add_argument("--by", help="who approves (recorded with the decision)")
    approve.set_defaults(func=run_approve)
    reject = actions.add_parser("reject", help="refuse a held order: it is never placed")
    reject.add_argument("order_id", metavar="ID")
    reject.add_argument("--reason", required=True, help="why (recorded with the decision)")
    reject.add_argument("--by", help="who rejects (recorded with the decision)")
    reject.set_defaults(func=run_reject)
    for action in (listing, show, resume, held, approve, reject):
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
        table.add_column(column, overflow="fold")
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
        unfinished += len(env.ledger.approvals.approved_unplaced(target))
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


def run_held(args: argparse.Namespace) -> int:
    """Print the orders held for approval (or those of another decision)."""
    from rich.table import Table

    from csp_commerce.cli import _render
    from csp_commerce.cli.checkout import make_checkout
    from csp_commerce.store.approvals import ApprovalStatus

    status = None if args.status == "all" else ApprovalStatus(args.status)
    with _env.Environment.from_args(args) as env:
        records = make_checkout(env).held_orders(status)
        where = env.target_name
    if args.json:
        print(json.dumps([_held_json(record) for record in records], indent=2))
        return EXIT_OK
    table = Table(title=f"{len(records)} order(s) {args.status} on {where}")
    for column in ("order", "customer", "status", "held because", "decided", "held since"):
        table.add_column(column, overflow="fold")
    for record in records:
        decided = " ".join(
            part
            for part in (record.decided_by and f"by {record.decided_by}", record.decision_reason)
            if part
        )
        table.add_row(
            record.order_id,
            record.customer_ref,
            record.status.value,
            record.held_reason or "",
            decided,
            _when(record.created_at),
        )
    _render.console().print(table)
    return EXIT_OK


def run_approve(args: argparse.Namespace) -> int:
    """Approve a held order and place it; print the outcome (or the Problems it has now)."""
    from csp_commerce.cli.checkout import exit_code, make_checkout, show_result

    with _env.Environment.from_args(args) as env:
        result = make_checkout(env).approve(args.order_id, by=args.by)
    show_result(result)
    if result.problems:
        from csp_commerce.cli import _render

        _render.console().print(f"order {args.order_id} is held again")
    return exit_code(result)


def run_reject(args: argparse.Namespace) -> int:
    """Reject a held order: it is never placed."""
    from csp_commerce.cli import _render
    from csp_commerce.cli.checkout import make_checkout

    with _env.Environment.from_args(args) as env:
        record = make_checkout(env).reject(args.order_id, args.reason, by=args.by)
    _render.console().print(
        f"order {record.order_id} rejected: {record.decision_reason} (it will never be placed)"
    )
    return EXIT_OK


def _held_json(record: HeldOrder) -> dict[str, Any]:
    return {
        "orderId": record.order_id,
        "customerReference": record.customer_ref,
        "status": record.status.value,
        "heldReason": record.held_reason,
        "heldBy": record.held_by,
        "decidedBy": record.decided_by,
        "decisionReason": record.decision_reason,
        "heldAt": _zoned(record.created_at),
        "decidedAt": _zoned(record.decided_at) if record.decided_at is not None else None,
    }


def _zoned(epoch: float) -> str:
    """An ISO 8601 time in UTC, with its zone (the JSON style)."""
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()


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
