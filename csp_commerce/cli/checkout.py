"""``csp-commerce checkout ORDER.json``: judge an order file and place it through Partner Center.

The order is judged by facts gathered from Partner Center (the sandbox by default, ``--live``
for the real one) plus the MCA evidence log, then placed through the provisioning ledger.
Exit 0: placed (or, with ``--dry-run``, valid); 1: Problems or a failed order; 2: an unusable
order file or configuration (nothing is sent to Partner Center then); 3: held for approval.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_HELD, EXIT_INVALID, EXIT_OK, _env
from csp_commerce.errors import TargetMismatchError

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from csp_commerce.checkout import Checkout
    from csp_commerce.checkout.order_file import Offers
    from csp_commerce.cli._env import Environment
    from csp_commerce.hooks.manager import HookManager
    from csp_commerce.models import CheckoutFacts, CheckoutResult, Order
    from csp_commerce.provisioning import PartnerCenterClient
    from csp_commerce.store.ledger import OrderRecord


def register(subparsers: Any) -> None:
    """Add ``checkout`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "checkout",
        help="validate an order file and place it (sandbox by default)",
        description=__doc__,
    )
    parser.add_argument("order_file", metavar="ORDER.json", help="the order (see the README)")
    parser.add_argument(
        "--dry-run", action="store_true", help="validate and print the plan; place nothing"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--catalog",
        metavar="FILE",
        help="offers as a JSON list of Offer objects (required with --live; default: the "
        "sandbox catalog)",
    )
    _env.add_arguments(parser)
    parser.set_defaults(func=run)


def make_checkout(env: Environment, hooks: HookManager | None = None) -> Checkout:
    """A checkout on ``env``: its MCA evidence log and a provisioner on its client and ledger."""
    from csp_commerce.checkout import Checkout
    from csp_commerce.hooks.manager import HookManager as Hooks

    hooks = hooks if hooks is not None else Hooks()
    return Checkout(hooks=hooks, mca_log=env.mca_log, provisioner=env.provisioner(hooks))


def facts_for(client: PartnerCenterClient, checkout: Checkout, order: Order) -> CheckoutFacts:
    """The facts ``order`` is judged by: Partner Center's, plus the MCA from the evidence log.

    A new customer has no tenant for Partner Center to know an acceptance by: the acceptance
    recorded at the storefront (the evidence log's latest) counts, and provisioning confirms
    it to Partner Center once the tenant exists.
    """
    from csp_commerce.checkout.gather_facts import gather_facts

    facts = gather_facts(client, order)
    if not facts.mca.accepted and checkout.mca_log is not None:
        recorded = checkout.mca_facts(order.customer.reference)
        if recorded.accepted:
            facts = facts.model_copy(update={"mca": recorded})
    return facts


def offers_for(env: Environment, catalog: str | Path | None) -> Offers:
    """The offers order lines may name: ``catalog``'s, the sandbox's, or (with ``--live``)
    Partner Center's catalog for the customer's country."""
    from csp_commerce.checkout.order_file import load_catalog

    if catalog is not None:
        return load_catalog(catalog)
    if env.live:
        from csp_commerce.checkout.catalog_offers import offers_from_catalog

        return lambda country: offers_from_catalog(env.client, country)
    return env.sandbox.catalog.offers()


def run(args: argparse.Namespace) -> int:
    """Read, judge and (unless ``--dry-run``) place the order file."""
    from csp_commerce.checkout.order_file import load_order

    with _env.Environment.from_args(args) as env:
        order = load_order(args.order_file, offers_for(env, args.catalog))
        recorded = env.ledger.order(order.id)
        if recorded is not None:
            if recorded.target != env.target:
                raise TargetMismatchError(
                    f"order {order.id} was recorded against {recorded.target!r}, not "
                    f"{env.target!r}: it is never placed or shown here"
                )
            return _already_submitted(recorded, as_json=args.json)
        checkout = make_checkout(env)
        facts = facts_for(env.client, checkout, order)
        judge = checkout.validate if args.dry_run else checkout.place
        result = judge(order, facts)
        show_result(result, as_json=args.json, dry_run=args.dry_run)
    return exit_code(result)


def _already_submitted(record: OrderRecord, *, as_json: bool) -> int:
    """An order id the ledger knows: its recorded state, never a second submission."""
    from csp_commerce.models import ProvisioningOutcome

    outcome = (
        ProvisioningOutcome.model_validate(record.outcome) if record.outcome is not None else None
    )
    if as_json:
        shown = outcome.model_dump(mode="json", by_alias=True) if outcome is not None else None
        data = {"orderId": record.order_id, "status": record.status.value, "outcome": shown}
        print(json.dumps(data, indent=2))
    else:
        from csp_commerce.cli import _render

        out = _render.console()
        out.print(
            f"order {record.order_id} was submitted before ({record.status.value}): "
            "nothing is sent again"
            + ("" if outcome is not None else "; finish it with `csp-commerce orders resume`")
        )
        if outcome is not None:
            out.print(_render.outcome_table(outcome))
    return EXIT_OK if outcome is not None and outcome.placed else EXIT_INVALID


def exit_code(result: CheckoutResult) -> int:
    """0 for a valid (and, when placed, successful) order; 1 for Problems or a failed order;
    3 for an order held for approval (nothing placed)."""
    if result.problems:
        return EXIT_INVALID
    if result.approval is not None and not result.approval.approved:
        return EXIT_HELD
    if result.outcome is not None and not result.outcome.placed:
        return EXIT_INVALID
    return EXIT_OK


def show_result(result: CheckoutResult, *, as_json: bool = False, dry_run: bool = False) -> None:
    """Print a checkout result for a person (tables) or a program (``as_json``)."""
    if as_json:
        print(json.dumps(result.model_dump(mode="json", by_alias=True), indent=2))
        return
    from csp_commerce.cli import _render

    out = _render.console()
    if result.problems:
        out.print(_render.problems_table(result.problems))
        out.print(f"[red]{len(result.problems)} problem(s): nothing was placed[/red]")
        return
    if result.plan is not None:
        out.print(_render.plan_table(result.plan))
    if result.approval is not None and not result.approval.approved:
        out.print(f"[yellow]held for approval: {result.approval.reason or ''}[/yellow]")
        out.print(
            f"release it with `csp-commerce orders approve {result.order_id}`, or refuse it with "
            f"`csp-commerce orders reject {result.order_id} --reason TEXT`"
        )
        return
    if dry_run:
        out.print("[green]valid[/green]: dry run, nothing was placed")
        return
    if result.outcome is not None:
        out.print(_render.outcome_table(result.outcome))
        failure = result.outcome.failure
        if failure is not None:
            out.print(
                f"[red]failed[/red]: {failure.message} (code {failure.code}, "
                f"request id {failure.request_id})"
            )
