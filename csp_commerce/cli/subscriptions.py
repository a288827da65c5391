"""``csp-commerce subscriptions``: list, show and change a customer's subscriptions.

Every change is recorded in the ledger with its MS-RequestId; pass ``--operation-id`` to make
a retry of the same change safe (it is read back, never done twice). Exit codes: 0 done,
1 refused (a Problem: printed on standard error), 2 unusable input or a failure.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_USAGE, _env
from csp_commerce.cli._globals import add_confirmation, confirmed
from csp_commerce.cli.prices import (
    EXIT_OK,
    add_format,
    load_price_list,
    print_json,
    print_problems,
    print_table,
)

if TYPE_CHECKING:
    import argparse

    from csp_commerce.operations.subscription_manager import (
        AddonPurchase,
        SubscriptionChange,
        SubscriptionManager,
    )
    from csp_commerce.provisioning.wire import Subscription


def register(subparsers: Any) -> None:
    """Add ``subscriptions ...`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "subscriptions",
        help="list and change a customer's subscriptions",
        description=__doc__.split("\n\n")[0],
    )
    actions = parser.add_subparsers(dest="subscriptions_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str, *, subscription: bool = True) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = actions.add_parser(
            name, help=help_text, description=help_text
        )
        _env.add_arguments(sub)
        sub.add_argument("--customer", required=True, help="the customer's tenant id")
        if subscription:
            sub.add_argument("subscription", metavar="SUBSCRIPTION", help="the subscription id")
        return sub

    def change(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = action(name, help_text)
        sub.add_argument(
            "--operation-id",
            default=None,
            help="idempotency key: the same id never changes the subscription twice",
        )
        sub.add_argument("--actor", default=None, help="who makes the change (for the history)")
        add_format(sub, "table", "json")
        return sub

    listing = action("list", "the customer's subscriptions", subscription=False)
    add_format(listing, "table", "json")
    listing.set_defaults(func=run_list)
    show = action("show", "one subscription with its cancellation window")
    add_format(show, "table", "json")
    show.set_defaults(func=run_show)

    quantity = change("set-quantity", "set the seat count (previews the new monthly cost)")
    quantity.add_argument("quantity", type=int, metavar="QUANTITY", help="the new seat count")
    quantity.add_argument(
        "--price-list", metavar="FILE", default=None, help="preview cost and price from it"
    )
    quantity.add_argument(
        "--customer-reference", default=None, help="the host's customer reference for prices"
    )
    quantity.set_defaults(func=run_set_quantity)
    for name, help_text in (
        ("suspend", "suspend the subscription"),
        ("reactivate", "reactivate a suspended subscription"),
        ("cancel", "cancel while Partner Center's cancellation window is open"),
    ):
        sub = change(name, help_text)
        if name in DESTRUCTIVE:
            add_confirmation(sub)
        sub.set_defaults(func=run_change)
    renew = change("auto-renew", "turn auto-renewal on or off")
    renew.add_argument("state", choices=("on", "off"), help="on or off")
    renew.set_defaults(func=run_change)
    term_end = change(
        "end-of-term", "renew, move to the extended term, or cancel at term end (set explicitly)"
    )
    term_end.add_argument(
        "end_of_term", choices=_END_OF_TERM_CHOICES, metavar="ACTION",
        help="renew | extended-term | cancel",
    )  # fmt: skip
    term_end.add_argument("--next-quantity", type=int, default=None, help="seats at renewal")
    term_end.add_argument("--next-term", default=None, help="term at renewal (P1M, P1Y, P3Y)")
    term_end.add_argument("--next-billing", default=None, help="billing cycle at renewal")
    term_end.add_argument(
        "--next-offer", default=None, metavar="CATALOG_ITEM", help="product:sku:availability"
    )
    term_end.set_defaults(func=run_end_of_term)
    plan = change("change-plan", "change the term (longer only) or billing cycle now")
    plan.add_argument("--term", default=None, help="the new term (P1M, P1Y, P3Y)")
    plan.add_argument("--billing", default=None, help="the new billing cycle")
    plan.set_defaults(func=run_change_plan)

    addons = change("addons", "list the add-ons of a subscription, or buy one with --buy")
    addons.add_argument("--buy", metavar="OFFER", default=None, help="catalog item id to buy")
    addons.add_argument("--quantity", type=int, default=1, help="seats of the add-on to buy")
    addons.set_defaults(func=run_addons)

    options = action("upgrades", "the targets the subscription may be upgraded to")
    options.add_argument(
        "--scheduled", action="store_true", help="targets for the renewal, not for now"
    )
    add_format(options, "table", "json")
    options.set_defaults(func=run_upgrades)
    upgrade = change("upgrade", "move some or all seats to an upgrade target (a transition)")
    upgrade.add_argument("target", metavar="TARGET", help="the target's catalog item id")
    upgrade.add_argument("--quantity", type=int, default=None, help="seats to move (all)")
    upgrade.add_argument(
        "--with-licences", action="store_true", help="move the users' licences too"
    )
    upgrade.add_argument("--term", default=None, help="the target's term (the current one)")
    upgrade.add_argument("--billing", default=None, help="the target's billing cycle")
    add_confirmation(upgrade)
    upgrade.set_defaults(func=run_upgrade)

    history = action("history", "every recorded change: who, when, what, request id")
    add_format(history, "table", "json")
    history.set_defaults(func=run_history)


def _manager(env: _env.Environment, args: argparse.Namespace) -> SubscriptionManager:
    from csp_commerce.operations.subscription_manager import SubscriptionManager

    manager = SubscriptionManager(env.client, env.ledger, actor=getattr(args, "actor", None))
    env.check_client(manager.engine.target)
    return manager


_END_OF_TERM_CHOICES = ("renew", "extended-term", "cancel")


def _end_of_term_text(subscription: Subscription) -> str:
    from csp_commerce.operations.subscription_manager import end_of_term_of

    choice = end_of_term_of(subscription)
    text = choice.action.value.replace("_", " ")
    if not choice.explicit:
        text += " (auto-renew off, not explicit)"
    if choice.next_term is not None:
        changes = choice.next_term.model_dump(exclude_none=True)
        text += " with " + ", ".join(f"{key}={value}" for key, value in changes.items())
    return text


def _rows(subscriptions: list[Subscription]) -> list[tuple[object, ...]]:
    return [
        (
            s.id,
            s.offer_name or s.friendly_name or s.offer_id,
            s.quantity,
            s.status,
            s.billing_cycle,
            s.term_duration,
            "on" if s.auto_renew_enabled else "off",
            _end_of_term_text(s),
            s.commitment_end_date,
            s.parent_subscription_id or "",
        )
        for s in subscriptions
    ]


_COLUMNS = (
    "id",
    "offer",
    "quantity",
    "status",
    "billing",
    "term",
    "auto-renew",
    "end of term",
    "term ends",
    "parent",
)


def run_list(args: argparse.Namespace) -> int:
    """``subscriptions list``."""
    with _env.Environment.from_args(args) as env:
        subscriptions = _manager(env, args).list(args.customer)
    if args.format == "json":
        print_json([s.to_wire() for s in subscriptions])
    else:
        print_table(f"Subscriptions of {args.customer}", _COLUMNS, _rows(subscriptions))
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    """``subscriptions show``."""
    with _env.Environment.from_args(args) as env:
        subscription = _find(_manager(env, args), args.customer, args.subscription)
        if subscription is None:
            return EXIT_USAGE  # an unknown id
    if args.format == "json":
        print_json(subscription.to_wire())
        return EXIT_OK
    _print_subscription(subscription)
    return EXIT_OK


def _find(manager: SubscriptionManager, customer: str, subscription: str) -> Subscription | None:
    """The subscription, or ``None`` once its absence is printed as a Problem.

    Partner Center answers 404 alike for an unknown customer and an unknown subscription: the
    customer is read to tell them apart, so an unknown customer is reported as itself.
    """
    from csp_commerce.errors import NotFoundError
    from csp_commerce.operations.subscription_manager import SUBSCRIPTION_NOT_FOUND

    try:
        return manager.get(customer, subscription)
    except NotFoundError:
        manager.client.customers.get(customer)  # raises NotFoundError for the customer itself
    print_problems([SUBSCRIPTION_NOT_FOUND(subscription_id=subscription)])
    return None


def _print_subscription(subscription: Subscription) -> None:
    from csp_commerce.operations.subscription_manager import cancellation_deadline

    deadline = cancellation_deadline(subscription)
    (row,) = _rows([subscription])
    fields = [*zip(_COLUMNS, row, strict=True)]
    fields.append(("cancellable until", deadline.isoformat() if deadline else "not stated"))
    print_table(f"Subscription {subscription.id}", ("field", "value"), fields)


def run_set_quantity(args: argparse.Namespace) -> int:
    """``subscriptions set-quantity``."""
    price_list = load_price_list(args.price_list) if args.price_list else None
    with _env.Environment.from_args(args) as env:
        result = _manager(env, args).set_quantity(
            args.customer,
            args.subscription,
            args.quantity,
            operation_id=args.operation_id,
            price_list=price_list,
            customer_reference=args.customer_reference,
        )
    return _report(result, args)


#: Changes that stop a customer's service: asked for (``--yes``), or only shown (``--dry-run``).
DESTRUCTIVE = ("suspend", "cancel")


def run_change(args: argparse.Namespace) -> int:
    """``subscriptions suspend|reactivate|cancel|auto-renew``."""
    with _env.Environment.from_args(args) as env:
        manager = _manager(env, args)
        command = args.subscriptions_command
        customer, subscription, operation = args.customer, args.subscription, args.operation_id
        if command in DESTRUCTIVE:
            current = _find(manager, customer, subscription)
            if current is None:
                return EXIT_USAGE  # an unknown id
            what = (
                f"{command} subscription {subscription} ({current.offer_name or current.offer_id},"
                f" {current.quantity} seats) of customer {customer}"
            )
            if not confirmed(args, what):
                return EXIT_OK
        if command == "suspend":
            result = manager.suspend(customer, subscription, operation_id=operation)
        elif command == "reactivate":
            result = manager.reactivate(customer, subscription, operation_id=operation)
        elif command == "cancel":
            result = manager.cancel(customer, subscription, operation_id=operation)
        else:
            result = manager.set_auto_renew(
                customer, subscription, args.state == "on", operation_id=operation
            )
    return _report(result, args)


def run_end_of_term(args: argparse.Namespace) -> int:
    """``subscriptions end-of-term renew|extended-term|cancel``."""
    from csp_commerce.models.end_of_term import EndOfTermAction, NextTerm

    action = EndOfTermAction(args.end_of_term.replace("-", "_"))
    product = sku = availability = None
    if args.next_offer:
        parts = args.next_offer.split(":")
        if len(parts) != 3 or not all(parts):
            print("--next-offer must be product:sku:availability", file=sys.stderr)
            return EXIT_USAGE
        product, sku, availability = parts
    next_term = NextTerm(
        product_id=product,
        sku_id=sku,
        availability_id=availability,
        billing_cycle=args.next_billing,
        term_duration=args.next_term,
        quantity=args.next_quantity,
    )
    with _env.Environment.from_args(args) as env:
        result = _manager(env, args).set_end_of_term(
            args.customer,
            args.subscription,
            action,
            next_term=None if next_term.is_empty() else next_term,
            operation_id=args.operation_id,
        )
    return _report(result, args)


def run_change_plan(args: argparse.Namespace) -> int:
    """``subscriptions change-plan --term T --billing B``."""
    if args.term is None and args.billing is None:
        print("change-plan needs --term or --billing", file=sys.stderr)
        return EXIT_USAGE
    with _env.Environment.from_args(args) as env:
        result = _manager(env, args).change_plan(
            args.customer,
            args.subscription,
            term_duration=args.term,
            billing_cycle=args.billing,
            operation_id=args.operation_id,
        )
    return _report(result, args)


def _report(result: SubscriptionChange, args: argparse.Namespace) -> int:
    if args.format == "json":
        print_json(result.model_dump(mode="json", by_alias=True))
        return print_problems(result.problems)
    if result.preview is not None:
        preview = result.preview
        print_table(
            f"Price preview ({preview.currency}, billed {preview.billing_cycle.value})",
            ("", "quantity", "cost", "price", "monthly price"),
            [
                ("now", preview.current_quantity, preview.current.cost, preview.current.price,
                 preview.current.monthly_price),
                ("new", preview.new_quantity, preview.new.cost, preview.new.price,
                 preview.new.monthly_price),
            ],
        )  # fmt: skip
        if preview.monthly_price_change is not None:
            print(f"new monthly cost change: {preview.monthly_price_change:+} {preview.currency}")
    for notice in result.notices:
        print(f"note [{notice.code}] {notice.message}")
    if result.ok:
        state = "already so" if result.unchanged else "done"
        if result.replayed:
            state = "already done earlier (read from the ledger; nothing sent)"
        print(f"{result.operation} {result.subscription_id}: {state}")
        if result.request_id:
            print(f"operation id {result.operation_id}, request id {result.request_id}")
        if result.subscription is not None:
            _print_subscription(result.subscription)
    return print_problems(result.problems)


def run_addons(args: argparse.Namespace) -> int:
    """``subscriptions addons`` (``--buy OFFER`` buys one through a cart)."""
    with _env.Environment.from_args(args) as env:
        manager = _manager(env, args)
        if args.buy:
            bought = manager.buy_addon(
                args.customer,
                args.subscription,
                args.buy,
                args.quantity,
                operation_id=args.operation_id,
            )
            return _report_addon(bought, args)
        addons = manager.addons(args.customer, args.subscription)
    if args.format == "json":
        print_json([s.to_wire() for s in addons])
    else:
        print_table(f"Add-ons of {args.subscription}", _COLUMNS, _rows(addons))
    return EXIT_OK


def _report_addon(bought: AddonPurchase, args: argparse.Namespace) -> int:
    if args.format == "json":
        print_json(bought.model_dump(mode="json", by_alias=True))
    elif bought.ok:
        again = " (already bought earlier; nothing sent)" if bought.replayed else ""
        print(
            f"add-on {bought.offer_id} x{bought.quantity} on {bought.parent_subscription_id}: "
            f"subscription {bought.subscription_id}{again}"
        )
        print(f"operation id {bought.operation_id}, request id {bought.request_id}")
    return print_problems(bought.problems)


def run_history(args: argparse.Namespace) -> int:
    """``subscriptions history``."""
    with _env.Environment.from_args(args) as env:
        entries = _manager(env, args).history(args.customer, args.subscription)
    if args.format == "json":
        print_json([entry.model_dump(mode="json", by_alias=True) for entry in entries])
        return EXIT_OK
    print_table(
        f"History of {args.subscription}",
        ("when", "who", "what", "status", "request id", "operation id"),
        [
            (e.requested_at or "", e.actor or "", e.summary, e.status, e.request_id,
             e.order_id or e.operation_id)
            for e in entries
        ],
    )  # fmt: skip
    return EXIT_OK


def run_upgrades(args: argparse.Namespace) -> int:
    """``subscriptions upgrades``: each target with its eligibility and the reasons against it."""
    with _env.Environment.from_args(args) as env:
        targets = _manager(env, args).upgrade_options(
            args.customer, args.subscription, scheduled=args.scheduled
        )
    if args.format == "json":
        print_json([t.to_wire() for t in targets])
        return EXIT_OK
    print_table(
        f"Upgrade targets of {args.subscription}",
        ("target", "title", "seats", "eligible", "why not"),
        [
            (t.catalog_item_id, t.title or "", t.quantity or "",
             ", ".join(t.eligible_types) or "no", "; ".join(t.reasons))
            for t in targets
        ],
    )  # fmt: skip
    return EXIT_OK


def run_upgrade(args: argparse.Namespace) -> int:
    """``subscriptions upgrade SUBSCRIPTION TARGET [--quantity N]`` (asks first)."""
    seats = "every seat" if args.quantity is None else f"{args.quantity} seats"
    what = (
        f"upgrade {seats} of subscription {args.subscription} of customer {args.customer} "
        f"to {args.target}"
    )
    if not confirmed(args, what):
        return EXIT_OK
    kind = "transition_with_license_transfer" if args.with_licences else "transition_only"
    with _env.Environment.from_args(args) as env:
        done = _manager(env, args).upgrade(
            args.customer,
            args.subscription,
            args.target,
            args.quantity,
            transition_type=kind,
            term_duration=args.term,
            billing_cycle=args.billing,
            operation_id=args.operation_id,
        )
    if args.format == "json":
        print_json(done.model_dump(mode="json", by_alias=True))
    elif done.ok:
        again = " (already done earlier; nothing new sent)" if done.replayed else ""
        print(f"upgraded to {done.target}: new subscription {done.new_subscription_id}{again}")
        if done.refund_until:
            print(f"cancellable until {done.refund_until} (the source's window, inherited)")
        print(f"operation id {done.operation_id}, request id {done.request_id}")
    return print_problems(done.problems)
