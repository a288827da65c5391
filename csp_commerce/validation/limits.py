"""Subscription counts, seat caps and what each line becomes (a new subscription or more seats).

The rules, from the storefront manuals and Partner Center's limits:

* Business plans: at most one monthly and one annual subscription per customer and plan. A
  second order for a cycle the customer already has becomes more seats on that subscription
  (``DuplicatePolicy.MERGE``), or a Problem (``DuplicatePolicy.REFUSE``). Two lines of one
  order for the same plan and cycle are a Problem either way.
* Seat caps: per line (``Offer.min_quantity`` / ``max_quantity``, which also bounds the
  subscription a line adds to) and per customer across all its subscriptions of a plan
  (``Offer.max_seats_per_customer``, e.g. 300 for Business plans), whoever the partner is.
* Dynamics 365: one subscription per instance. ``DynamicsPolicy.NEW_INSTANCE`` makes every line
  a new subscription (more licences for an existing instance are bought on that subscription,
  ``OrderLine.subscription_id``); ``ADD_LICENCES`` adds the line to the existing instance.
* Add-ons need a live parent subscription of an allowed product; an indirect reseller buys
  add-ons only on subscriptions it is the partner of record of.
* A line with ``subscription_id`` adds seats to that live subscription, of the same product and
  billing cycle, billed through the same partner.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

from csp_commerce.models.catalogue.limits_codes import (
    ABOVE_MAXIMUM,
    ADDON_PARENT_LINE_INVALID,
    ADDON_PARENT_MISSING,
    ADDON_PARENT_NOT_ALLOWED,
    ADDON_PARENT_NOT_FOUND,
    ADDON_PARENT_OTHER_RESELLER,
    BELOW_MINIMUM,
    BUSINESS_DUPLICATE_LINE,
    BUSINESS_EXISTS,
    BUSINESS_OTHER_PARTNER,
    BUSINESS_TERM_DIFFERS,
    BUSINESS_TOO_MANY,
    DYNAMICS_AMBIGUOUS,
    DYNAMICS_DUPLICATE_INSTANCE,
    DYNAMICS_INSTANCE_EXISTS,
    SEAT_CAP,
    SUBSCRIPTION_ABOVE_MAXIMUM,
    SUBSCRIPTION_CYCLE_MISMATCH,
    SUBSCRIPTION_NOT_FOUND,
    SUBSCRIPTION_NOT_LIVE,
    SUBSCRIPTION_OFFER_MISMATCH,
    SUBSCRIPTION_OTHER_PARTNER,
    SUBSCRIPTION_SUSPENDED,
)
from csp_commerce.models.offer import OfferFamily
from csp_commerce.models.plan import LineAction, LinePlan
from csp_commerce.models.settings import DuplicatePolicy, DynamicsPolicy
from csp_commerce.validation.billing_options import default_term

if TYPE_CHECKING:
    from collections.abc import Sequence

    from csp_commerce.models import CheckoutFacts, Offer, Order, OrderLine, Problem
    from csp_commerce.models.facts import SubscriptionFact
    from csp_commerce.models.settings import CheckoutSettings

#: Subscriptions of one Business plan a customer may hold: one monthly and one annual.
BUSINESS_MAX_SUBSCRIPTIONS = 2


def partner_of(order: Order) -> str | None:
    """The partner id recorded on the order's subscriptions: the reseller's, or None (direct)."""
    return order.reseller.partner_id if order.reseller is not None else None


def is_addon(offer: Offer) -> bool:
    """Whether ``offer`` is bought on top of a parent subscription."""
    return offer.family is OfferFamily.ADDON or bool(offer.parent_product_ids)


#: Seats the order adds, per existing subscription (lines adding to one are summed).
Room: TypeAlias = dict[str, int]


@dataclass(frozen=True)
class SubscriptionIndex:
    """The customer's subscriptions indexed once, so each line is judged in O(1) lookups.

    Without it every line (and every seat-capped product) scanned all the customer's
    subscriptions: O(lines x subscriptions). Built in one pass: O(subscriptions).
    """

    by_id: dict[str, SubscriptionFact] = field(default_factory=dict)
    #: live subscriptions per product, in the facts' order
    live_by_product: dict[str, list[SubscriptionFact]] = field(default_factory=dict)
    #: seats of the live subscriptions per product
    live_seats: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, subscriptions: Sequence[SubscriptionFact]) -> SubscriptionIndex:
        """Index ``subscriptions`` in one pass."""
        index = cls()
        for sub in subscriptions:
            index.by_id[sub.id] = sub  # the last of a repeated id wins, as before
            if sub.is_live:
                index.live_by_product.setdefault(sub.product_id, []).append(sub)
                index.live_seats[sub.product_id] = (
                    index.live_seats.get(sub.product_id, 0) + sub.quantity
                )
        return index

    def live(self, product_id: str) -> list[SubscriptionFact]:
        """The live subscriptions of ``product_id``."""
        return self.live_by_product.get(product_id, [])


_INDEXES: dict[int, SubscriptionIndex] = {}
_INDEXES_LOCK = threading.Lock()


def subscription_index(facts: CheckoutFacts) -> SubscriptionIndex:
    """The index of ``facts.subscriptions``, built once per facts object.

    ``check_order`` and every line's ``plan_line`` of one validation share it. Facts are
    immutable, so the index stays right; it is dropped when the facts object is.
    """
    key = id(facts)
    index = _INDEXES.get(key)
    if index is None:
        index = SubscriptionIndex.of(facts.subscriptions)
        with _INDEXES_LOCK:
            if key not in _INDEXES:
                _INDEXES[key] = index
                weakref.finalize(facts, _INDEXES.pop, key, None)
    return index


def check_order(order: Order, facts: CheckoutFacts, settings: CheckoutSettings) -> list[Problem]:
    """Every Problem with the order's subscription counts, seat caps and targets."""
    problems: list[Problem] = []
    owner = partner_of(order)
    subs = subscription_index(facts)
    by_id = subs.by_id
    first_line: dict[str, int] = {}  # product -> its first line's index
    business_lines: dict[tuple[str, str], int] = {}
    new_business: dict[str, int] = {}
    instances: set[tuple[str, str]] = set()
    caps: dict[str, list[int]] = {}  # product -> [cap, ordered, first line index]
    room: Room = {}
    lines_by_id: dict[str, OrderLine] = {}
    for index, line in enumerate(order.lines):
        offer = line.offer
        first_line.setdefault(offer.product_id, index)
        if line.subscription_id is not None:
            _check_target(problems, line, index, by_id, owner, room)
        else:
            _check_quantity(problems, line, index)
            if is_addon(offer):
                _check_parent(problems, line, index, by_id, lines_by_id, owner)
            if offer.family is OfferFamily.BUSINESS:
                key = (offer.product_id, line.billing_cycle.value)
                if key in business_lines:
                    problems.append(
                        BUSINESS_DUPLICATE_LINE(
                            field=f"lines.{index}.billing_cycle",
                            offer=offer.name,
                            billing_cycle=line.billing_cycle.value,
                            first_line=business_lines[key],
                        )
                    )
                else:
                    business_lines[key] = index
                    if not _check_business(problems, line, index, subs, owner, settings, room):
                        new_business[offer.product_id] = new_business.get(offer.product_id, 0) + 1
            elif offer.family is OfferFamily.DYNAMICS:
                _check_dynamics(problems, line, index, subs, owner, settings, instances, room)
        lines_by_id.setdefault(line.id, line)
        cap = offer.max_seats_per_customer
        if cap is not None:
            tally = caps.setdefault(offer.product_id, [cap, 0, index])
            tally[0] = min(tally[0], cap)
            tally[1] += line.quantity
    for product_id, added in new_business.items():
        existing = len(subs.live(product_id))
        if existing + added > BUSINESS_MAX_SUBSCRIPTIONS:
            index = first_line[product_id]
            problems.append(
                BUSINESS_TOO_MANY(
                    field=f"lines.{index}.offer",
                    offer=order.lines[index].offer.name,
                    count=existing + added,
                    limit=BUSINESS_MAX_SUBSCRIPTIONS,
                )
            )
    for product_id, (cap, ordered, index) in caps.items():
        existing = subs.live_seats.get(product_id, 0)
        if existing + ordered > cap:
            problems.append(
                SEAT_CAP(
                    field=f"lines.{index}.quantity",
                    offer=order.lines[index].offer.name,
                    cap=cap,
                    existing=existing,
                    ordered=ordered,
                    remaining=max(cap - existing, 0),
                )
            )
    return problems


def plan_line(
    line: OrderLine, order: Order, facts: CheckoutFacts, settings: CheckoutSettings
) -> LinePlan:
    """What to provision for ``line`` of an order that has no Problems."""
    offer = line.offer
    action, target, reason = LineAction.NEW_SUBSCRIPTION, None, None
    if line.subscription_id is not None:
        action, target = LineAction.ADD_QUANTITY, line.subscription_id
        reason = "more seats on the subscription the line names"
    elif is_addon(offer):
        action, target = LineAction.ADD_ON, line.parent_subscription_id
        reason = "an add-on to its parent subscription"
    elif offer.family is OfferFamily.BUSINESS:
        if settings.business_duplicates is DuplicatePolicy.MERGE:
            existing = _business_twin(line, subscription_index(facts))
            if existing is not None:
                action, target = LineAction.ADD_QUANTITY, existing.id
                reason = (
                    f"Business plans allow one {line.billing_cycle.value} subscription per "
                    "customer: the seats are added to it"
                )
    elif offer.family is OfferFamily.DYNAMICS and _dynamics_adds(offer, settings):
        found, _ambiguous = _dynamics_instance(line, subscription_index(facts))
        if found is not None:
            action, target = LineAction.ADD_QUANTITY, found.id
            reason = "more licences on the existing Dynamics instance"
    return LinePlan(
        line_id=line.id,
        action=action,
        offer_id=offer.id,
        quantity=line.quantity,
        billing_cycle=line.billing_cycle,
        term_duration=line.term_duration
        if line.term_duration is not None or action is LineAction.ADD_QUANTITY
        else default_term(offer, line.billing_cycle),
        subscription_id=target,
        partner_id_on_record=partner_of(order),
        instance_name=line.instance_name if action is LineAction.NEW_SUBSCRIPTION else None,
        parent_line_id=line.parent_line_id if action is LineAction.ADD_ON else None,
        reason=reason,
    )


# -- the parts ----------------------------------------------------------------------------------


def _on_record(partner_id: str | None) -> str:
    return partner_id if partner_id is not None else "direct"


def _check_quantity(problems: list[Problem], line: OrderLine, index: int) -> None:
    offer, quantity = line.offer, line.quantity
    if quantity < offer.min_quantity:
        problems.append(
            BELOW_MINIMUM(
                field=f"lines.{index}.quantity",
                offer=offer.name,
                minimum=offer.min_quantity,
                quantity=quantity,
            )
        )
    elif quantity > offer.max_quantity:
        problems.append(
            ABOVE_MAXIMUM(
                field=f"lines.{index}.quantity",
                offer=offer.name,
                maximum=offer.max_quantity,
                quantity=quantity,
            )
        )


def _check_room(
    problems: list[Problem], line: OrderLine, index: int, sub: SubscriptionFact, room: Room
) -> None:
    """The subscription a line adds to must stay within the per-subscription maximum, counting
    every line of the order that adds to it, and must be active to take more seats."""
    if sub.status.lower() == "suspended":
        problems.append(
            SUBSCRIPTION_SUSPENDED(field=f"lines.{index}.quantity", subscription_id=sub.id)
        )
        return
    room[sub.id] = room.get(sub.id, 0) + line.quantity
    if sub.quantity + room[sub.id] > line.offer.max_quantity:
        problems.append(
            SUBSCRIPTION_ABOVE_MAXIMUM(
                field=f"lines.{index}.quantity",
                offer=line.offer.name,
                subscription_id=sub.id,
                current=sub.quantity,
                quantity=room[sub.id],
                maximum=line.offer.max_quantity,
            )
        )


def _check_target(
    problems: list[Problem],
    line: OrderLine,
    index: int,
    by_id: dict[str, SubscriptionFact],
    owner: str | None,
    room: Room,
) -> None:
    """A line naming ``subscription_id`` adds seats to that live subscription."""
    sub_id = line.subscription_id
    field = f"lines.{index}.subscription_id"
    sub = by_id.get(sub_id or "")
    if sub is None:
        problems.append(SUBSCRIPTION_NOT_FOUND(field=field, subscription_id=sub_id))
        return
    if not sub.is_live:
        problems.append(
            SUBSCRIPTION_NOT_LIVE(field=field, subscription_id=sub.id, status=sub.status)
        )
        return
    offer = line.offer
    if sub.product_id != offer.product_id:
        problems.append(
            SUBSCRIPTION_OFFER_MISMATCH(
                field=field,
                subscription_id=sub.id,
                subscription_product=sub.product_id,
                offer=offer.name,
            )
        )
        return
    if sub.billing_cycle is not line.billing_cycle:
        problems.append(
            SUBSCRIPTION_CYCLE_MISMATCH(
                field=f"lines.{index}.billing_cycle",
                subscription_id=sub.id,
                subscription_cycle=sub.billing_cycle.value,
                billing_cycle=line.billing_cycle.value,
            )
        )
    if sub.partner_id_on_record != owner:
        problems.append(
            SUBSCRIPTION_OTHER_PARTNER(
                field=field,
                subscription_id=sub.id,
                offer=offer.name,
                partner_on_record=_on_record(sub.partner_id_on_record),
            )
        )
    _check_room(problems, line, index, sub, room)


def _check_parent(
    problems: list[Problem],
    line: OrderLine,
    index: int,
    by_id: dict[str, SubscriptionFact],
    earlier: dict[str, OrderLine],
    owner: str | None,
) -> None:
    offer = line.offer
    if line.parent_line_id is not None:
        parent_line = earlier.get(line.parent_line_id)
        allowed = offer.parent_product_ids
        if (
            parent_line is None
            or is_addon(parent_line.offer)
            or (allowed and parent_line.offer.product_id not in allowed)
        ):
            problems.append(
                ADDON_PARENT_LINE_INVALID(
                    field=f"lines.{index}.parent_line_id",
                    offer=offer.name,
                    parent_line=line.parent_line_id,
                    allowed=sorted(allowed) or ["a base offer"],
                )
            )
        return
    field = f"lines.{index}.parent_subscription_id"
    parent_id = line.parent_subscription_id
    if parent_id is None:
        problems.append(ADDON_PARENT_MISSING(field=field, offer=offer.name))
        return
    parent = by_id.get(parent_id)
    if parent is None or not parent.is_live:
        problems.append(
            ADDON_PARENT_NOT_FOUND(field=field, offer=offer.name, parent_subscription_id=parent_id)
        )
    elif offer.parent_product_ids and parent.product_id not in offer.parent_product_ids:
        problems.append(
            ADDON_PARENT_NOT_ALLOWED(
                field=field,
                offer=offer.name,
                parent_subscription_id=parent_id,
                parent_product=parent.product_id,
                allowed=sorted(offer.parent_product_ids),
            )
        )
    elif owner is not None and parent.partner_id_on_record != owner:
        # A reseller acts only on what it sold (the manager's ``subscription.other_reseller``).
        problems.append(
            ADDON_PARENT_OTHER_RESELLER(
                field=field,
                subscription_id=parent_id,
                partner_on_record=_on_record(parent.partner_id_on_record),
                reseller=owner,
            )
        )


def _business_twin(line: OrderLine, subs: SubscriptionIndex) -> SubscriptionFact | None:
    """The customer's live subscription of the line's Business plan in the line's cycle."""
    cycle = line.billing_cycle
    for sub in subs.live(line.offer.product_id):  # at most a few: one per cycle
        if sub.billing_cycle is cycle:
            return sub
    return None


def _check_business(
    problems: list[Problem],
    line: OrderLine,
    index: int,
    subs: SubscriptionIndex,
    owner: str | None,
    settings: CheckoutSettings,
    room: Room,
) -> bool:
    """Judge a Business line against the customer's subscriptions; True if it needs none new."""
    twin = _business_twin(line, subs)
    if twin is None:
        return False
    field = f"lines.{index}.billing_cycle"
    params = {
        "offer": line.offer.name,
        "billing_cycle": line.billing_cycle.value,
        "subscription_id": twin.id,
    }
    if settings.business_duplicates is DuplicatePolicy.REFUSE:
        problems.append(BUSINESS_EXISTS(field=field, **params))
    elif twin.partner_id_on_record != owner:
        problems.append(
            BUSINESS_OTHER_PARTNER(
                field=field, partner_on_record=_on_record(twin.partner_id_on_record), **params
            )
        )
    elif (
        line.term_duration is not None
        and twin.term_duration is not None
        and line.term_duration is not twin.term_duration
    ):
        problems.append(
            BUSINESS_TERM_DIFFERS(
                field=f"lines.{index}.term_duration",
                subscription_term=twin.term_duration.value,
                **params,
            )
        )
    else:
        _check_room(problems, line, index, twin, room)
    return True


def _dynamics_adds(offer: Offer, settings: CheckoutSettings) -> bool:
    policy = settings.dynamics_policy_for(offer.id, offer.product_id)
    return policy is DynamicsPolicy.ADD_LICENCES


def _dynamics_instance(
    line: OrderLine, subs: SubscriptionIndex
) -> tuple[SubscriptionFact | None, int]:
    """The existing instance the line is for, and how many candidates there were."""
    same = subs.live(line.offer.product_id)
    name = line.instance_name
    if name is not None:
        wanted = name.casefold()
        named = [sub for sub in same if (sub.instance_name or "").casefold() == wanted]
        return (named[0] if named else None), len(named)
    return (same[0] if len(same) == 1 else None), len(same)


def _check_dynamics(
    problems: list[Problem],
    line: OrderLine,
    index: int,
    subs: SubscriptionIndex,
    owner: str | None,
    settings: CheckoutSettings,
    instances: set[tuple[str, str]],
    room: Room,
) -> None:
    offer, name = line.offer, line.instance_name
    if name is not None:
        key = (offer.product_id, name.casefold())
        if key in instances:
            problems.append(
                DYNAMICS_DUPLICATE_INSTANCE(field=f"lines.{index}.instance_name", instance=name)
            )
            return
        instances.add(key)
    found, candidates = _dynamics_instance(line, subs)
    if not _dynamics_adds(offer, settings):
        if found is not None and name is not None:
            problems.append(
                DYNAMICS_INSTANCE_EXISTS(
                    field=f"lines.{index}.instance_name", instance=name, subscription_id=found.id
                )
            )
        return
    if name is None and candidates > 1:
        problems.append(
            DYNAMICS_AMBIGUOUS(
                field=f"lines.{index}.instance_name", offer=offer.name, count=candidates
            )
        )
    elif found is not None:
        if found.partner_id_on_record != owner:
            problems.append(
                SUBSCRIPTION_OTHER_PARTNER(
                    field=f"lines.{index}.instance_name",
                    subscription_id=found.id,
                    offer=offer.name,
                    partner_on_record=_on_record(found.partner_id_on_record),
                )
            )
        else:
            _check_room(problems, line, index, found, room)
