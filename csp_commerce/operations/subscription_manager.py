"""Subscriptions after the first order: quantity, add-ons, suspend, reactivate, cancel,
auto-renew, and the history of every change.

Every change is one step of the :class:`~csp_commerce.fulfilment.StepEngine`, the same engine
that places orders:

* each change is an *operation* (its id is the caller's idempotency key, a new UUID by
  default) whose step is recorded, with its durable ``MS-RequestId``, the subscription as read
  and the absolute change, before the request is sent, under the subscription's lock;
* running an operation id again never acts twice: a finished change answers from the ledger, one
  whose outcome is unknown is sent again with the same request id (and read back only when
  Partner Center refuses the repeat); :meth:`SubscriptionManager.resume` finishes them all;
* a manager acting for an indirect reseller (``reseller=``) touches only the subscriptions that
  reseller sold; anything else is the Problem ``subscription.other_reseller``, and nothing is sent;
* :meth:`SubscriptionManager.history` lists the steps of a subscription (who, when, what,
  request id), the order steps that bought or changed it included.

The customer's mistakes are Problems, found before any request where the subscription's own
fields tell (a closed cancellation window, a suspended or deleted subscription).
"""

from __future__ import annotations

import getpass
import os
import time
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TypeVar

from csp_commerce.errors import NotFoundError, StepFailed
from csp_commerce.fulfilment.actions import purchase, update_subscription
from csp_commerce.fulfilment.engine import StepEngine
from csp_commerce.models._base import Model
from csp_commerce.models.catalogue.billing_plan_codes import (
    EXTENDED_TERM_NOT_AVAILABLE,
    NEXT_TERM_WITHOUT_RENEWAL,
)
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
    OTHER_RESELLER,
    QUANTITY_INVALID,
    REDUCTION_EXCEEDS_REFUNDABLE,
    REDUCTION_WINDOW_CLOSED,
    SUBSCRIPTION_DELETED,
)
from csp_commerce.models.clouds import ENDPOINTS, Cloud
from csp_commerce.models.end_of_term import (
    EXTENDED_TERM_KINDS,
    EndOfTerm,
    EndOfTermAction,
    NextTerm,
    read_end_of_term,
    wire_changes,
)
from csp_commerce.models.offer import BillingCycle, ProductKind, TermDuration
from csp_commerce.models.plan import LineAction, LinePlan
from csp_commerce.models.problem import Problem
from csp_commerce.models.wire_time import parse_wire_time
from csp_commerce.money.pricing import (
    QuantityChangePreview,
    preview_quantity_change,
    select_markup,
)
from csp_commerce.operations.subscription_history import HistoryEntry, history_entry, summary_of
from csp_commerce.provisioning.wire import Subscription
from csp_commerce.store.ledger import Step, StepStatus
from csp_commerce.validation.billing_plan import (
    check_plan_change,
    check_refund_window,
    check_seat_reduction,
    kind_of,
)
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
    "end_of_term_of",
    "product_kind_of",
    "refundable_seats",
]

if TYPE_CHECKING:
    import builtins
    from collections.abc import Callable, Sequence

    from csp_commerce.models.price import Markup, PriceList
    from csp_commerce.operations.upgrades import Upgrade
    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.provisioning.wire.transitions import TransitionEligibility
    from csp_commerce.store.ledger import Ledger

ACTOR_ENV = "CSP_COMMERCE_ACTOR"


class SubscriptionChange(Model):
    """The outcome of one change to a subscription.

    ``problems`` empty: the change was made (or was already in place: ``unchanged``). ``replayed``:
    the operation id had run before, and nothing new was done: the answer came from the ledger,
    or from Partner Center replaying the same request. ``notices`` inform without
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


def end_of_term_of(subscription: Subscription) -> EndOfTerm:
    """What the subscription does at term end, as Partner Center holds it (``explicit`` False:
    only ``autoRenewEnabled: false`` was found, so Partner Center's default applies)."""
    return read_end_of_term(subscription.to_wire())


def product_kind_of(subscription: Subscription) -> ProductKind:
    """The product kind of a subscription (from its ``productType`` and term)."""
    product_type = (subscription.product_type or {}).get("id")
    return kind_of(str(product_type) if product_type else None, subscription.term_duration)


EnumT = TypeVar("EnumT", BillingCycle, TermDuration)


def _known(enum: type[EnumT], value: object) -> EnumT | None:
    """``value`` as a member of ``enum``; None when missing or new to us."""
    try:
        return enum(str(value)) if value else None
    except ValueError:
        return None


class SubscriptionManager:
    """Change subscriptions through Partner Center, each change a step of the step engine.

    :param client: a :class:`~csp_commerce.provisioning.PartnerCenterClient`.
    :param ledger: where each change's step, request id and outcome are kept.
    :param actor: who makes the changes (default: ``$CSP_COMMERCE_ACTOR`` or the login name).
    :param reseller: the partner id (MPN) of the indirect reseller this manager acts for: it
        changes only subscriptions whose partner of record that is.
    :param clock: epoch seconds; judges cancellation windows and stamps the history.
    :param lock_wait: how long to wait for a subscription another operation is changing.
    """

    def __init__(
        self,
        client: PartnerCenterClient,
        ledger: Ledger,
        *,
        actor: str | None = None,
        reseller: str | None = None,
        clock: Callable[[], float] = time.time,
        lock_wait: float = 30.0,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.actor = actor or default_actor()
        self.reseller = reseller
        self.clock = clock
        self.engine = StepEngine(client, ledger, lock_wait=lock_wait)

    def now(self) -> datetime:
        """The manager's current time (UTC)."""
        return datetime.fromtimestamp(self.clock(), timezone.utc)

    # -- reading -------------------------------------------------------------------------------

    def list(self, customer_id: str) -> builtins.list[Subscription]:
        """The customer's subscriptions (only the reseller's, for a reseller's manager)."""
        return list(self.client.subscriptions.list(customer_id, mpn_id=self.reseller))

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
                software = check_seat_reduction(
                    product_kind_of(subscription), subscription.id, subscription.quantity, quantity
                )
                return software or self._reduction_problems(subscription, quantity)
            return []

        change = self._change(
            "set_quantity",
            customer_id,
            subscription_id,
            {"quantity": quantity},
            check=check,
            done=lambda s: s.quantity == quantity,
            changes={"quantity": quantity},
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
        return self._change(
            operation,
            customer_id,
            subscription_id,
            {"status": status},
            check=lambda s: [],
            done=lambda s: s.status == status,
            changes={"status": status},
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
        """Turn auto-renewal on or off, dropping any end-of-term action that would contradict it.

        Off leaves Partner Center's default for the term end: the paid extended term for
        eligible subscriptions. To end a subscription at its term, use :meth:`set_end_of_term`
        with ``EndOfTermAction.CANCEL``.
        """
        return self._change(
            "set_auto_renew",
            customer_id,
            subscription_id,
            {"auto_renew": enabled},
            check=lambda s: [],
            done=lambda s: s.auto_renew_enabled is enabled,
            changes={"autoRenewEnabled": enabled, "scheduledActions": None},
            operation_id=operation_id,
            previous=lambda s: {"auto_renew": s.auto_renew_enabled},
        )

    def set_end_of_term(
        self,
        customer_id: str,
        subscription_id: str,
        action: EndOfTermAction,
        *,
        next_term: NextTerm | None = None,
        operation_id: str | None = None,
    ) -> SubscriptionChange:
        """Choose what the subscription does at term end: renew (optionally with ``next_term``
        changes scheduled for the renewal), move to the extended term, or cancel at term end.

        Always sent explicitly (``scheduledActions`` with ``autoRenewEnabled`` to match), never
        as ``autoRenewEnabled: false`` alone. The extended term exists only for licence-based
        products (``end_of_term.extended_term_not_available`` otherwise).
        """
        if next_term is not None and next_term.is_empty():
            next_term = None
        if next_term is not None and action is not EndOfTermAction.RENEW:
            return SubscriptionChange(
                operation="set_end_of_term",
                customer_id=customer_id,
                subscription_id=subscription_id,
                operation_id=operation_id or str(uuid.uuid4()),
                problems=(NEXT_TERM_WITHOUT_RENEWAL(),),
            )
        wanted = EndOfTerm(action=action, explicit=True, next_term=next_term)

        def check(subscription: Subscription) -> builtins.list[Problem]:
            kind = product_kind_of(subscription)
            if action is EndOfTermAction.EXTENDED_TERM and kind not in EXTENDED_TERM_KINDS:
                return [EXTENDED_TERM_NOT_AVAILABLE(subscription_id=subscription_id, kind=kind)]
            return []

        return self._change(
            "set_end_of_term",
            customer_id,
            subscription_id,
            {
                "end_of_term": action.value,
                "next_term": next_term.model_dump(mode="json") if next_term else None,
            },
            check=check,
            done=lambda s: end_of_term_of(s) == wanted,
            changes=wire_changes(action, next_term),
            operation_id=operation_id,
            previous=lambda s: {"end_of_term": end_of_term_of(s).model_dump(mode="json")},
        )

    def change_plan(
        self,
        customer_id: str,
        subscription_id: str,
        *,
        term_duration: str | None = None,
        billing_cycle: str | None = None,
        operation_id: str | None = None,
    ) -> SubscriptionChange:
        """Change the term or billing frequency now (mid-term): only to a longer term, and never
        the frequency of a three-year term (schedule it with :meth:`set_end_of_term`'s
        ``next_term`` instead). An immediate change deletes the scheduled next-term changes."""

        def check(subscription: Subscription) -> builtins.list[Problem]:
            return check_plan_change(
                subscription_id,
                (subscription.term_duration, subscription.billing_cycle),
                (term_duration, billing_cycle),
            )

        changes = {
            key: value
            for key, value in (("termDuration", term_duration), ("billingCycle", billing_cycle))
            if value is not None
        }
        return self._change(
            "change_plan",
            customer_id,
            subscription_id,
            {"term_duration": term_duration, "billing_cycle": billing_cycle},
            check=check,
            done=lambda s: all(s.to_wire().get(k) == v for k, v in changes.items()),
            changes=changes,
            operation_id=operation_id,
            previous=lambda s: {
                "term_duration": s.term_duration,
                "billing_cycle": s.billing_cycle,
            },
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
            purchased = parse_wire_time(
                subscription.effective_start_date or subscription.creation_date
            )
            if deadline is None and purchased is not None:
                # The subscription states no window: the product kind's (168 h, 72 h, 30 days).
                kind = product_kind_of(subscription)
                return check_refund_window(kind, subscription_id, purchased, self.now())
            return []

        return self._change(
            "cancel",
            customer_id,
            subscription_id,
            {"status": "deleted"},
            check=check,
            done=lambda s: s.status == "deleted",
            changes={"status": "deleted"},
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
        """Buy an add-on (a catalog item id) on an existing subscription, through a cart.

        The same purchase step the order saga uses: one cart, its id written down before
        checkout, a resend replayed; billing cycle and term default to the parent's.
        """
        operation_id = operation_id or str(uuid.uuid4())
        base: dict[str, Any] = {
            "customer_id": customer_id,
            "parent_subscription_id": subscription_id,
            "offer_id": offer_id,
            "quantity": quantity,
            "operation_id": operation_id,
        }
        target = {"offer_id": offer_id, "quantity": quantity}
        existing = self.ledger.get_step(operation_id, _CHANGE)
        if existing is not None:
            self.engine.check_target(existing.target, f"operation {operation_id}")
            reused = _reused(existing, "buy_addon", target, operation_id)
            if reused is not None:
                return AddonPurchase(**base, problems=(reused,))
            if existing.status is StepStatus.DONE:
                bought = _addon_of(existing)
                return AddonPurchase(
                    **base, request_id=existing.request_id, replayed=True, **bought
                )
            if existing.status is StepStatus.FAILED:
                problem = _addon_problem(existing, offer_id)
                return AddonPurchase(
                    **base, request_id=existing.request_id, replayed=True, problems=(problem,)
                )
        try:
            parent = self.get(customer_id, subscription_id)
        except NotFoundError:
            return AddonPurchase(**base, problems=(_not_found(subscription_id),))
        if existing is None:
            problems: builtins.list[Problem] = []
            scope = self._scope(parent)
            if scope is not None:
                problems.append(scope)
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
        line = LinePlan(
            line_id="addon",
            action=LineAction.ADD_ON,
            offer_id=offer_id,
            quantity=quantity,
            billing_cycle=_known(BillingCycle, billing_cycle or parent.billing_cycle)
            or BillingCycle.MONTHLY,
            term_duration=_known(TermDuration, term_duration or parent.term_duration),
            subscription_id=subscription_id,
            partner_id_on_record=parent.partner_id or None,
        )
        if existing is not None and "line" in existing.intent:
            # Sent before: the very cart line recorded then, whatever this call's defaults.
            line = LinePlan.model_validate(existing.intent["line"])
        note = {
            **self._stamp(subscription_id),
            "operation": "buy_addon",
            **target,
            "line": line.model_dump(mode="json"),
        }
        try:
            bought = self.engine.run(
                purchase(
                    self.engine,
                    operation_id,
                    _CHANGE,
                    customer_id,
                    [line],
                    actor=self.actor,
                    note=note,
                )
            )
        except StepFailed:
            failed = self.ledger.get_step(operation_id, _CHANGE)
            assert failed is not None  # the engine recorded the failure
            problem = _addon_problem(failed, offer_id)
            return AddonPurchase(**base, request_id=failed.request_id, problems=(problem,))
        step = self.ledger.get_step(operation_id, _CHANGE)
        return AddonPurchase(
            **base,
            request_id=step.request_id if step else None,
            subscription_id=bought["addon"].get("subscription_id"),
            order_id=bought["addon"].get("order_id"),
        )

    # -- upgrades (operations/upgrades.py) -------------------------------------------------------

    def upgrade_options(
        self, customer_id: str, subscription_id: str, *, scheduled: bool = False
    ) -> builtins.list[TransitionEligibility]:
        """The targets the subscription may be upgraded to now (or at renewal: ``scheduled``),
        each with its eligibility and Partner Center's reasons against it."""
        from csp_commerce.operations.upgrades import upgrade_options

        return upgrade_options(self, customer_id, subscription_id, scheduled=scheduled)

    def upgrade(
        self,
        customer_id: str,
        subscription_id: str,
        target: str,
        quantity: int | None = None,
        *,
        transition_type: str = "transition_only",
        term_duration: str | None = None,
        billing_cycle: str | None = None,
        promotion_id: str | None = None,
        operation_id: str | None = None,
    ) -> Upgrade:
        """Move ``quantity`` seats (None: all) to ``target`` (a catalog item id), exactly once,
        as one step of the engine (see :mod:`csp_commerce.operations.upgrades`)."""
        from csp_commerce.operations.upgrades import upgrade

        return upgrade(
            self, customer_id, subscription_id, target, quantity,
            transition_type=transition_type, term_duration=term_duration,
            billing_cycle=billing_cycle, promotion_id=promotion_id, operation_id=operation_id,
        )  # fmt: skip

    # -- history and recovery --------------------------------------------------------------------

    def history(self, customer_id: str, subscription_id: str) -> builtins.list[HistoryEntry]:
        """Every recorded change of the subscription, oldest first: changes made here, and the
        order steps that bought it or changed its seats."""
        steps = self.ledger.subscription_steps(self.engine.target, customer_id, subscription_id)
        return [history_entry(step, subscription_id) for step in steps]

    def resume(self) -> builtins.list[SubscriptionChange | AddonPurchase | Upgrade]:
        """Finish every change (of this Partner Center) whose outcome a stopped process left
        unknown: each is sent again with its recorded request id (an add-on, its recorded
        cart). Orders are the saga's."""
        finished: builtins.list[SubscriptionChange | AddonPurchase | Upgrade] = []
        for step in self.ledger.sent_steps(self.engine.target):
            if step.key != _CHANGE or step.customer_id is None:
                continue
            customer_id = str(step.customer_id)
            if step.intent.get("operation") == "upgrade" and step.subscription_id is not None:
                intent = step.intent
                finished.append(
                    self.upgrade(
                        customer_id,
                        step.subscription_id,
                        str(intent["target"]),
                        intent["quantity"],
                        transition_type=str(intent["transition_type"]),
                        operation_id=step.operation_id,
                    )
                )
                continue
            if step.kind == "purchase" and step.intent.get("operation") == "buy_addon":
                intent = step.intent
                finished.append(
                    self.buy_addon(
                        customer_id,
                        str(intent["subscription_id"]),
                        str(intent["offer_id"]),
                        int(intent["quantity"]),
                        operation_id=step.operation_id,
                    )
                )
            elif step.kind != "purchase" and step.subscription_id is not None:
                finished.append(
                    self._send(step.kind, customer_id, step.subscription_id, step.operation_id, {})
                )
        return finished

    # -- the one change path ---------------------------------------------------------------------

    def _scope(self, subscription: Subscription) -> Problem | None:
        """A reseller's manager may change only what that reseller sold."""
        if self.reseller is None or subscription.partner_id == self.reseller:
            return None
        return OTHER_RESELLER(
            subscription_id=subscription.id,
            partner_on_record=subscription.partner_id or "the partner itself",
            reseller=self.reseller,
        )

    def _stamp(self, subscription_id: str) -> dict[str, Any]:
        return {
            "subscription_id": subscription_id,
            "requested_at": self.now().isoformat(timespec="seconds"),
        }

    def _change(
        self,
        operation: str,
        customer_id: str,
        subscription_id: str,
        target: dict[str, Any],
        *,
        changes: dict[str, Any],
        check: Callable[[Subscription], builtins.list[Problem]],
        done: Callable[[Subscription], bool],
        operation_id: str | None,
        previous: Callable[[Subscription], dict[str, Any]],
        allow_deleted: bool = False,
    ) -> SubscriptionChange:
        operation_id = operation_id or str(uuid.uuid4())
        base: dict[str, Any] = {
            "operation": operation,
            "customer_id": customer_id,
            "subscription_id": subscription_id,
            "operation_id": operation_id,
        }
        existing = self.ledger.get_step(operation_id, _CHANGE)
        if existing is not None:
            self.engine.check_target(existing.target, f"operation {operation_id}")
            reused = _reused(existing, operation, target, operation_id)
            if reused is not None:
                return SubscriptionChange(**base, problems=(reused,))
            if existing.status is not StepStatus.SENT:
                return _recorded(existing, base)
            # Its outcome is unknown: the same request again, nothing judged anew.
            return self._send(operation, customer_id, subscription_id, operation_id, target)
        with self.engine.locked(subscription_id, operation_id):
            try:
                current = self.get(customer_id, subscription_id)
            except NotFoundError:
                return SubscriptionChange(**base, problems=(_not_found(subscription_id),))
            scope = self._scope(current)
            if scope is not None:
                return SubscriptionChange(**base, subscription=current, problems=(scope,))
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
            note = {
                **self._stamp(subscription_id),
                "operation": operation,
                **target,
                "previous": previous(current),
            }
            return self._send(
                operation, customer_id, subscription_id, operation_id, target,
                current=current, changes=changes, note=note,
            )  # fmt: skip

    def _send(
        self,
        operation: str,
        customer_id: str,
        subscription_id: str,
        operation_id: str,
        target: dict[str, Any],
        *,
        current: Subscription | None = None,
        changes: dict[str, Any] | None = None,
        note: dict[str, Any] | None = None,
    ) -> SubscriptionChange:
        """Send the change as one engine step (its lock held until its outcome is known).

        A change already recorded is sent as recorded (``current`` and ``changes`` unused).
        Unknown outcomes (timeouts, throttling, 5xx) propagate: the step stays ``sent``, and
        the same operation id or :meth:`resume` sends it again.
        """
        base: dict[str, Any] = {
            "operation": operation,
            "customer_id": customer_id,
            "subscription_id": subscription_id,
            "operation_id": operation_id,
        }
        with self.engine.locked(subscription_id, operation_id) as lock:
            try:
                result = self.engine.run(
                    update_subscription(
                        self.engine,
                        operation_id,
                        _CHANGE,
                        operation,
                        customer_id,
                        subscription_id,
                        changes or {},
                        lock_name=lock,
                        current=current,
                        actor=self.actor,
                        note=note,
                    )
                )
            except StepFailed:
                failed = self.ledger.get_step(operation_id, _CHANGE)
                assert failed is not None  # the engine recorded the failure
                return _recorded(failed, base, replayed=False)
        step = self.ledger.get_step(operation_id, _CHANGE)
        return SubscriptionChange(
            **base,
            request_id=step.request_id if step else None,
            replayed=bool(step and step.attempts > 1),
            subscription=Subscription.model_validate(result["subscription"]),
        )


#: The key of a post-sale operation's one step.
_CHANGE = "change"


def _recorded(step: Step, base: dict[str, Any], *, replayed: bool = True) -> SubscriptionChange:
    """A finished change as the ledger holds it."""
    if step.status is StepStatus.DONE:
        recorded = (step.result or {}).get("subscription")
        return SubscriptionChange(
            **base,
            request_id=step.request_id,
            replayed=replayed,
            subscription=Subscription.model_validate(recorded) if recorded else None,
        )
    return SubscriptionChange(
        **base, request_id=step.request_id, replayed=replayed, problems=(_failed_problem(step),)
    )


def _reused(
    step: Step, operation: str, target: dict[str, Any], operation_id: str
) -> Problem | None:
    recorded = step.intent.get("operation", step.kind)
    same = recorded == operation and all(step.intent.get(k) == v for k, v in target.items())
    if same:
        return None
    return OPERATION_ID_REUSED(operation_id=operation_id, recorded=summary_of(step))


def _failed_problem(step: Step) -> Problem:
    """The Problem a definite refusal means for the customer (or ``operation.failed``)."""
    error = step.error or {}
    message = str(error.get("message", "unknown"))
    code = error.get("code")
    number = int(code) if isinstance(code, str) and code.isdigit() else code
    problem = problem_from(number, error.get("description") or message, step.intent)
    return problem or OPERATION_FAILED(operation_id=step.operation_id, reason=message)


def _addon_of(step: Step) -> dict[str, Any]:
    bought = ((step.result or {}).get("lines") or {}).get("addon") or {}
    return {"subscription_id": bought.get("subscription_id"), "order_id": bought.get("order_id")}


def _addon_problem(step: Step, offer_id: str) -> Problem:
    """Partner Center refused the add-on (an unknown item, a term not sold, an order error)."""
    error = step.error or {}
    reason = f"{error.get('code')}: {error.get('message') or 'no reason given'}"
    return ADDON_REFUSED(offer_id=offer_id, reason=reason)


def _not_found(subscription_id: str) -> Problem:
    return SUBSCRIPTION_NOT_FOUND(field="subscription_id", subscription_id=subscription_id)
