"""Subscriptions after the first order: quantity, add-ons, suspend, reactivate, cancel,
auto-renew, and the history of every change.

Every change is a step in the provisioning :class:`~csp_commerce.store.ledger.Ledger`, recorded
with its durable ``MS-RequestId`` before the request is sent:

* the ledger groups a subscription's changes under ``subscription:{customer}:{subscription}``
  and keys each by its *operation id* (the caller's idempotency key, a new UUID by default);
* running an operation id again never acts twice: a finished step answers from the ledger, a
  step whose outcome is unknown is read back first and resent with the same request id;
* :meth:`SubscriptionManager.history` lists the steps of a subscription (who, when, what,
  request id), with the checkout steps the provisioner recorded for it.

The customer's mistakes are Problems, found before any request where the subscription's own
fields tell (a closed cancellation window, a suspended or deleted subscription).
"""

from __future__ import annotations

import getpass
import os
import time
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from csp_commerce.errors import (
    UNKNOWN_OUTCOME_ERRORS,
    BadRequestError,
    NotFoundError,
    PartnerCenterError,
)
from csp_commerce.models._base import Model
from csp_commerce.models.catalogue.limits_codes import (
    SUBSCRIPTION_NOT_FOUND,
    SUBSCRIPTION_SUSPENDED,
)
from csp_commerce.models.catalogue.pricing_codes import ANNUAL_BILLING_ONLY
from csp_commerce.models.catalogue.subscriptions_codes import (
    ADDON_PARENT_INACTIVE,
    ADDON_REFUSED,
    CANCELLATION_WINDOW_CLOSED,
    OPERATION_FAILED,
    OPERATION_ID_REUSED,
    QUANTITY_INVALID,
    REDUCTION_EXCEEDS_REFUNDABLE,
    REDUCTION_WINDOW_CLOSED,
    SUBSCRIPTION_DELETED,
)
from csp_commerce.models.clouds import ENDPOINTS, Cloud
from csp_commerce.models.offer import BillingCycle, TermDuration
from csp_commerce.models.problem import Problem
from csp_commerce.money.pricing import (
    QuantityChangePreview,
    preview_quantity_change,
    select_markup,
)
from csp_commerce.operations.subscription_history import (
    HistoryEntry,
    concerns,
    group_of,
    history_entry,
    summary_of,
)
from csp_commerce.provisioning.wire import CartLineItem, Participant, Subscription
from csp_commerce.store.ledger import Step, StepStatus
from csp_commerce.validation.subscription_changes import (
    cancellation_deadline,
    problem_from,
    refundable_seats,
)

__all__ = [
    "SUBSCRIPTION_NOT_FOUND",
    "AddonPurchase",
    "HistoryEntry",
    "SubscriptionChange",
    "SubscriptionManager",
    "cancellation_deadline",
    "cloud_name",
    "default_actor",
    "group_of",
    "refundable_seats",
]

if TYPE_CHECKING:
    import builtins
    from collections.abc import Callable, Sequence

    from csp_commerce.models.price import Markup, PriceList
    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.store.ledger import Ledger

ACTOR_ENV = "CSP_COMMERCE_ACTOR"
#: Errors after which Partner Center may or may not have acted: the step stays ``sent``.
_CHECKOUT_IDS = uuid.UUID("6d0f3c1e-2b7a-4c55-9a41-8e2f7d3b9c60")


class SubscriptionChange(Model):
    """The outcome of one change to a subscription.

    ``problems`` empty: the change was made (or was already in place: ``unchanged``). ``replayed``:
    the operation id had run before and nothing was sent this time. ``notices`` inform without
    refusing (e.g. 21Vianet bills annually only). ``request_id`` is the MS-RequestId sent.
    """

    operation: str
    customer_id: str
    subscription_id: str
    operation_id: str
    request_id: str | None = None
    replayed: bool = False
    unchanged: bool = False
    subscription: Subscription | None = None
    preview: QuantityChangePreview | None = None
    problems: tuple[Problem, ...] = ()
    notices: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the subscription is now as asked."""
        return not self.problems


class AddonPurchase(Model):
    """The outcome of buying an add-on on an existing subscription."""

    customer_id: str
    parent_subscription_id: str
    offer_id: str
    quantity: int
    operation_id: str
    request_id: str | None = None
    subscription_id: str | None = None
    order_id: str | None = None
    replayed: bool = False
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the add-on was bought."""
        return not self.problems


def default_actor() -> str:
    """Who is making changes: ``$CSP_COMMERCE_ACTOR``, else the login name."""
    actor = os.environ.get(ACTOR_ENV)
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # pragma: no cover - no login name (some containers)
        return "unknown"


def cloud_name(client: PartnerCenterClient) -> str:
    """The client's cloud as a word (``china``), or ``custom`` for custom endpoints."""
    cloud = client.cloud
    if isinstance(cloud, Cloud):
        return cloud.value
    if isinstance(cloud, str):
        return cloud
    for known, endpoints in ENDPOINTS.items():
        if endpoints == client.endpoints:
            return known.value
    return "custom"


class SubscriptionManager:
    """Change subscriptions through Partner Center, each change recorded in the ledger.

    :param client: a :class:`~csp_commerce.provisioning.PartnerCenterClient`.
    :param ledger: where each change's step, request id and outcome are kept.
    :param actor: who makes the changes (default: ``$CSP_COMMERCE_ACTOR`` or the login name).
    :param clock: epoch seconds; judges cancellation windows and stamps the history.
    """

    def __init__(
        self,
        client: PartnerCenterClient,
        ledger: Ledger,
        *,
        actor: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.actor = actor or default_actor()
        self.clock = clock

    def now(self) -> datetime:
        """The manager's current time (UTC)."""
        return datetime.fromtimestamp(self.clock(), timezone.utc)

    # -- reading -------------------------------------------------------------------------------

    def list(self, customer_id: str) -> builtins.list[Subscription]:
        """The customer's subscriptions."""
        return list(self.client.subscriptions.list(customer_id))

    def get(self, customer_id: str, subscription_id: str) -> Subscription:
        """One subscription (raises :class:`NotFoundError` when there is none)."""
        return self.client.subscriptions.get(customer_id, subscription_id)

    def addons(self, customer_id: str, subscription_id: str) -> builtins.list[Subscription]:
        """The add-on subscriptions bought on a subscription."""
        return list(self.client.subscriptions.addons(customer_id, subscription_id))

    def preview_quantity(
        self,
        subscription: Subscription,
        quantity: int,
        price_list: PriceList,
        markups: Sequence[Markup] = (),
        *,
        customer_reference: str | None = None,
    ) -> QuantityChangePreview | None:
        """The cost and price before and after a quantity change (None: no price entry).

        A monthly subscription in a cloud that bills annually only (21Vianet China) gets the
        Problem ``pricing.annual_billing_only`` in the preview.
        """
        if not subscription.offer_id or not subscription.billing_cycle:
            return None
        try:
            cycle = BillingCycle(subscription.billing_cycle)
            term = TermDuration(subscription.term_duration) if subscription.term_duration else None
        except ValueError:
            return None
        entry = price_list.find(subscription.offer_id, cycle, term, customer_reference)
        if entry is None:
            return None
        markup = select_markup(markups, customer_reference, subscription.partner_id or None)
        preview = preview_quantity_change(subscription.quantity, quantity, entry, markup)
        notice = self._annual_only_notice(subscription)
        if notice is not None and not preview.problems:
            preview = preview.model_copy(update={"problems": (notice,)})
        return preview

    def _annual_only_notice(self, subscription: Subscription) -> Problem | None:
        if self.client.endpoints.annual_billing_only and subscription.billing_cycle == "monthly":
            return ANNUAL_BILLING_ONLY(cloud=cloud_name(self.client))
        return None

    # -- changes -------------------------------------------------------------------------------

    def set_quantity(
        self,
        customer_id: str,
        subscription_id: str,
        quantity: int,
        *,
        operation_id: str | None = None,
        price_list: PriceList | None = None,
        markups: Sequence[Markup] = (),
        customer_reference: str | None = None,
    ) -> SubscriptionChange:
        """Set the seat count to exactly ``quantity`` (an absolute target, safe to resend).

        With ``price_list`` the result carries the preview of the new cost and price. Fewer
        seats are refused before any request outside the subscription's refund window.
        """
        preview: builtins.list[QuantityChangePreview | None] = [None]
        notices: builtins.list[Problem] = []

        def check(subscription: Subscription) -> builtins.list[Problem]:
            notice = self._annual_only_notice(subscription)
            if notice is not None:
                notices.append(notice)
            if price_list is not None:
                preview[0] = self.preview_quantity(
                    subscription,
                    quantity,
                    price_list,
                    markups,
                    customer_reference=customer_reference,
                )
            if quantity < 1:
                return [QUANTITY_INVALID()]
            if subscription.status == "suspended":
                return [SUBSCRIPTION_SUSPENDED(subscription_id=subscription_id)]
            if quantity < subscription.quantity:
                return self._reduction_problems(subscription, quantity)
            return []

        change = self._change(
            "set_quantity",
            customer_id,
            subscription_id,
            {"quantity": quantity},
            check=check,
            done=lambda s: s.quantity == quantity,
            send=lambda rid: self.client.subscriptions.change_quantity(
                customer_id, subscription_id, quantity, request_id=rid
            ),
            operation_id=operation_id,
            previous=lambda s: {"quantity": s.quantity},
        )
        return change.model_copy(update={"preview": preview[0], "notices": tuple(notices)})

    def _reduction_problems(
        self, subscription: Subscription, quantity: int
    ) -> builtins.list[Problem]:
        now = self.now()
        deadline = cancellation_deadline(subscription)
        if deadline is not None and now > deadline:
            return [
                REDUCTION_WINDOW_CLOSED(subscription_id=subscription.id, until=deadline.isoformat())
            ]
        refundable = refundable_seats(subscription, now)
        removing = subscription.quantity - quantity
        if refundable is not None and removing > refundable:
            return [
                REDUCTION_EXCEEDS_REFUNDABLE(
                    subscription_id=subscription.id, refundable=refundable, requested=removing
                )
            ]
        return []

    def suspend(
        self, customer_id: str, subscription_id: str, *, operation_id: str | None = None
    ) -> SubscriptionChange:
        """Suspend the subscription (its users lose access; billing continues for NCE)."""
        return self._set_status("suspend", customer_id, subscription_id, "suspended", operation_id)

    def reactivate(
        self, customer_id: str, subscription_id: str, *, operation_id: str | None = None
    ) -> SubscriptionChange:
        """Reactivate a suspended subscription."""
        return self._set_status("reactivate", customer_id, subscription_id, "active", operation_id)

    def _set_status(
        self,
        operation: str,
        customer_id: str,
        subscription_id: str,
        status: str,
        operation_id: str | None,
    ) -> SubscriptionChange:
        send = getattr(self.client.subscriptions, operation)
        return self._change(
            operation,
            customer_id,
            subscription_id,
            {"status": status},
            check=lambda s: [],
            done=lambda s: s.status == status,
            send=lambda rid: send(customer_id, subscription_id, request_id=rid),
            operation_id=operation_id,
            previous=lambda s: {"status": s.status},
        )

    def set_auto_renew(
        self,
        customer_id: str,
        subscription_id: str,
        enabled: bool,
        *,
        operation_id: str | None = None,
    ) -> SubscriptionChange:
        """Turn auto-renewal on or off."""
        return self._change(
            "set_auto_renew",
            customer_id,
            subscription_id,
            {"auto_renew": enabled},
            check=lambda s: [],
            done=lambda s: s.auto_renew_enabled is enabled,
            send=lambda rid: self.client.subscriptions.set_auto_renew(
                customer_id, subscription_id, enabled, request_id=rid
            ),
            operation_id=operation_id,
            previous=lambda s: {"auto_renew": s.auto_renew_enabled},
        )

    def cancel(
        self, customer_id: str, subscription_id: str, *, operation_id: str | None = None
    ) -> SubscriptionChange:
        """Cancel the subscription while Partner Center allows it.

        The window comes from the subscription's own ``cancellationAllowedUntilDate`` (or its
        ``refundableQuantity``); past it, the Problem ``subscription.cancellation_window_closed``
        comes back before any request.
        """

        def check(subscription: Subscription) -> builtins.list[Problem]:
            deadline = cancellation_deadline(subscription)
            if deadline is not None and self.now() > deadline:
                return [
                    CANCELLATION_WINDOW_CLOSED(
                        subscription_id=subscription_id, until=deadline.isoformat()
                    )
                ]
            return []

        return self._change(
            "cancel",
            customer_id,
            subscription_id,
            {"status": "deleted"},
            check=check,
            done=lambda s: s.status == "deleted",
            send=lambda rid: self.client.subscriptions.cancel(
                customer_id, subscription_id, request_id=rid
            ),
            operation_id=operation_id,
            previous=lambda s: {"status": s.status},
            allow_deleted=True,
        )

    # -- add-ons -------------------------------------------------------------------------------

    def buy_addon(
        self,
        customer_id: str,
        subscription_id: str,
        offer_id: str,
        quantity: int,
        *,
        billing_cycle: str | None = None,
        term_duration: str | None = None,
        operation_id: str | None = None,
    ) -> AddonPurchase:
        """Buy an add-on (a catalog item id) on an existing subscription through a cart.

        The cart is created with the step's request id and checked out with one derived from
        it, so a resent step replays both; billing cycle and term default to the parent's.
        """
        operation_id = operation_id or str(uuid.uuid4())
        group = group_of(customer_id, subscription_id)
        base: dict[str, Any] = {
            "customer_id": customer_id,
            "parent_subscription_id": subscription_id,
            "offer_id": offer_id,
            "quantity": quantity,
            "operation_id": operation_id,
        }
        target = {"offer_id": offer_id, "quantity": quantity}
        existing = self.ledger.get_step(group, operation_id)
        if existing is not None:
            reused = _reused(existing, "buy_addon", target, operation_id)
            if reused is not None:
                return AddonPurchase(**base, problems=(reused,))
            if existing.status is StepStatus.DONE and existing.result:
                return AddonPurchase(
                    **base,
                    request_id=existing.request_id,
                    subscription_id=existing.result.get("subscription_id"),
                    order_id=existing.result.get("order_id"),
                    replayed=True,
                )
            if existing.status is StepStatus.FAILED:
                return AddonPurchase(
                    **base, request_id=existing.request_id, replayed=True,
                    problems=(_failed_problem(existing),),
                )  # fmt: skip
        try:
            parent = self.get(customer_id, subscription_id)
        except NotFoundError:
            return AddonPurchase(
                **base,
                problems=(
                    SUBSCRIPTION_NOT_FOUND(
                        field="subscription_id", subscription_id=subscription_id
                    ),
                ),
            )
        if existing is None:
            problems: builtins.list[Problem] = []
            if quantity < 1:
                problems.append(QUANTITY_INVALID())
            if parent.status != "active":
                problems.append(
                    ADDON_PARENT_INACTIVE(
                        subscription_id=subscription_id, status=parent.status or "unknown"
                    )
                )
            if problems:
                return AddonPurchase(**base, problems=tuple(problems))
        cycle = billing_cycle or parent.billing_cycle or "monthly"
        term = term_duration or parent.term_duration
        step = self.ledger.step(
            group,
            operation_id,
            "buy_addon",
            {
                **self._stamp(customer_id, subscription_id),
                "operation": "buy_addon",
                "offer_id": offer_id,
                "quantity": quantity,
                "billing_cycle": cycle,
                "term_duration": term,
            },
        )
        if step.status is StepStatus.SENT:
            found = self._find_addon(customer_id, subscription_id, offer_id, quantity)
            if found is not None:
                result: dict[str, Any] = {
                    "subscription_id": found.id,
                    "order_id": found.order_id,
                }
                self._finish(step, result)
                return AddonPurchase(**base, request_id=step.request_id, replayed=True, **result)
        line = CartLineItem(
            id=0,
            catalog_item_id=offer_id,
            quantity=quantity,
            billing_cycle=cycle,
            term_duration=term,
            participants=(
                [Participant(key="transaction_reseller", value=parent.partner_id)]
                if parent.partner_id
                else None
            ),
            provisioning_context={"ParentSubscriptionId": subscription_id},
        )

        def send() -> dict[str, Any]:
            try:
                cart = self.client.carts.create(customer_id, [line], request_id=step.request_id)
            except BadRequestError as refused:  # e.g. 10001 unknown item, 10013 term not sold
                reason = f"{refused.code}: {refused.description or refused}"
                return {"problem": ADDON_REFUSED(offer_id=offer_id, reason=reason).model_dump()}
            checkout_id = str(uuid.uuid5(_CHECKOUT_IDS, step.request_id))
            result = self.client.carts.checkout(customer_id, cart.id, request_id=checkout_id)
            if result.order_errors:
                error = result.order_errors[0]
                reason = f"{error.code}: {error.description or 'no reason given'}"
                return {"problem": ADDON_REFUSED(offer_id=offer_id, reason=reason).model_dump()}
            for order in result.orders:
                for item in order.line_items:
                    if item.subscription_id:
                        return {"subscription_id": item.subscription_id, "order_id": order.id}
            found = self._find_addon(customer_id, subscription_id, offer_id, quantity)
            return {
                "subscription_id": found.id if found else None,
                "order_id": result.orders[0].id if result.orders else None,
            }

        outcome = self._send(step, send)
        if "problem" in outcome:
            problem = Problem.model_validate(outcome["problem"])
            return AddonPurchase(**base, request_id=step.request_id, problems=(problem,))
        return AddonPurchase(
            **base,
            request_id=step.request_id,
            subscription_id=outcome.get("subscription_id"),
            order_id=outcome.get("order_id"),
        )

    def _find_addon(
        self, customer_id: str, parent_id: str, offer_id: str, quantity: int
    ) -> Subscription | None:
        claimed = {
            str(step.result.get("subscription_id"))
            for step in self.ledger.steps(group_of(customer_id, parent_id))
            if step.kind == "buy_addon" and step.status is StepStatus.DONE and step.result
        }
        for addon in self.addons(customer_id, parent_id):
            if (
                addon.id not in claimed
                and addon.offer_id == offer_id
                and addon.quantity == quantity
            ):
                return addon
        return None

    # -- history -------------------------------------------------------------------------------

    def history(self, customer_id: str, subscription_id: str) -> builtins.list[HistoryEntry]:
        """Every recorded change of the subscription, oldest first: its own steps, and the
        provisioner's checkout steps that bought it or changed its seats."""
        group = group_of(customer_id, subscription_id)
        entries: builtins.list[HistoryEntry] = []
        for step in self.ledger.steps():
            if step.order_id == group:
                entries.append(history_entry(step, subscription_id, order_id=None))
            elif not step.order_id.startswith("subscription:") and concerns(step, subscription_id):
                entries.append(history_entry(step, subscription_id, order_id=step.order_id))
        entries.sort(key=lambda entry: entry.requested_at or "")
        return entries

    # -- the one change loop ---------------------------------------------------------------------

    def _stamp(self, customer_id: str, subscription_id: str) -> dict[str, Any]:
        return {
            "customer_id": customer_id,
            "subscription_id": subscription_id,
            "actor": self.actor,
            "requested_at": self.now().isoformat(timespec="seconds"),
        }

    def _change(
        self,
        operation: str,
        customer_id: str,
        subscription_id: str,
        target: dict[str, Any],
        *,
        check: Callable[[Subscription], builtins.list[Problem]],
        done: Callable[[Subscription], bool],
        send: Callable[[str], Subscription],
        operation_id: str | None,
        previous: Callable[[Subscription], dict[str, Any]],
        allow_deleted: bool = False,
    ) -> SubscriptionChange:
        operation_id = operation_id or str(uuid.uuid4())
        group = group_of(customer_id, subscription_id)
        base: dict[str, Any] = {
            "operation": operation,
            "customer_id": customer_id,
            "subscription_id": subscription_id,
            "operation_id": operation_id,
        }
        existing = self.ledger.get_step(group, operation_id)
        if existing is not None:
            reused = _reused(existing, operation, target, operation_id)
            if reused is not None:
                return SubscriptionChange(**base, problems=(reused,))
            if existing.status is StepStatus.DONE:
                recorded = (existing.result or {}).get("subscription")
                return SubscriptionChange(
                    **base,
                    request_id=existing.request_id,
                    replayed=True,
                    subscription=Subscription.model_validate(recorded) if recorded else None,
                )
            if existing.status is StepStatus.FAILED:
                return SubscriptionChange(
                    **base,
                    request_id=existing.request_id,
                    replayed=True,
                    problems=(_failed_problem(existing),),
                )
        try:
            current = self.get(customer_id, subscription_id)
        except NotFoundError:
            return SubscriptionChange(
                **base,
                problems=(
                    SUBSCRIPTION_NOT_FOUND(
                        field="subscription_id", subscription_id=subscription_id
                    ),
                ),
            )
        if existing is None:
            if done(current):
                check(current)  # for its preview and notices; nothing is sent
                return SubscriptionChange(**base, unchanged=True, subscription=current)
            if current.status == "deleted" and not allow_deleted:
                return SubscriptionChange(
                    **base,
                    subscription=current,
                    problems=(SUBSCRIPTION_DELETED(subscription_id=subscription_id),),
                )
            problems = check(current)
            if problems:
                return SubscriptionChange(**base, subscription=current, problems=tuple(problems))
        intent = {
            **self._stamp(customer_id, subscription_id),
            "operation": operation,
            **target,
            "previous": previous(current),
        }
        step = self.ledger.step(group, operation_id, operation, intent)
        if step.status is StepStatus.SENT and done(current):
            # The earlier attempt's answer was lost, but Partner Center did it: read back.
            self._finish(step, {"subscription": current.to_wire()})
            return SubscriptionChange(
                **base, request_id=step.request_id, replayed=True, subscription=current
            )
        outcome = self._send(step, lambda: {"subscription": send(step.request_id).to_wire()})
        if "problem" in outcome:
            problem = Problem.model_validate(outcome["problem"])
            return SubscriptionChange(**base, request_id=step.request_id, problems=(problem,))
        return SubscriptionChange(
            **base,
            request_id=step.request_id,
            subscription=Subscription.model_validate(outcome["subscription"]),
        )

    def _send(self, step: Step, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Mark the step sent, run it, and record its outcome (a Problem counts as failed)."""
        self.ledger.mark_sent(step.order_id, step.key)
        try:
            result = action()
        except UNKNOWN_OUTCOME_ERRORS:
            raise  # stays sent: the same operation id reads back and resends
        except BadRequestError as error:
            problem = problem_from(error.code, error.description or str(error), step.intent)
            if problem is None:
                self._fail(step, str(error))
                raise
            self._fail(step, problem.message, problem)
            return {"problem": problem.model_dump()}
        except PartnerCenterError as error:
            self._fail(step, str(error))
            raise
        if "problem" in result:
            self._fail(step, str(result["problem"]["message"]), None, result["problem"])
            return result
        self._finish(step, result)
        return result

    def _finish(self, step: Step, result: dict[str, Any]) -> None:
        stamped = {**result, "finished_at": self.now().isoformat(timespec="seconds")}
        self.ledger.finish_step(step.order_id, step.key, StepStatus.DONE, result=stamped)

    def _fail(
        self,
        step: Step,
        message: str,
        problem: Problem | None = None,
        problem_json: dict[str, Any] | None = None,
    ) -> None:
        error: dict[str, Any] = {
            "message": message,
            "finished_at": self.now().isoformat(timespec="seconds"),
        }
        if problem is not None:
            error["problem"] = problem.model_dump()
        elif problem_json is not None:
            error["problem"] = problem_json
        self.ledger.finish_step(step.order_id, step.key, StepStatus.FAILED, error=error)


def _reused(
    step: Step, operation: str, target: dict[str, Any], operation_id: str
) -> Problem | None:
    recorded = step.intent.get("operation", step.kind)
    same = recorded == operation and all(step.intent.get(k) == v for k, v in target.items())
    if same:
        return None
    return OPERATION_ID_REUSED(operation_id=operation_id, recorded=summary_of(step))


def _failed_problem(step: Step) -> Problem:
    error = step.error or {}
    if isinstance(error.get("problem"), dict):
        return Problem.model_validate(error["problem"])
    return OPERATION_FAILED(operation_id=step.key, reason=str(error.get("message", "unknown")))


def _not_found(subscription_id: str) -> Problem:
    return SUBSCRIPTION_NOT_FOUND(field="subscription_id", subscription_id=subscription_id)
