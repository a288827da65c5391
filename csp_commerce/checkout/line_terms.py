"""The facts of a line's terms: its offer's promotions and the end dates it may co-terminate on.

Gathered with the other checkout facts (``gather_facts`` calls :func:`line_term_facts`, or
:func:`line_term_facts_async`) for a customer whose tenant is known:

- **Promotions** of each new-commerce line (a ``product:sku:availability`` offer bought as a new
  subscription): the promotions active in the customer's market and the offer's segment
  (``promotions.list``, kept in the cache by partner, country and segment), and the customer's
  eligibility on every plan a promotion of the offer requires, in one
  ``promotionEligibilities`` request for all the lines' plans the cache does not hold. A
  verdict is kept by partner, customer, catalog item, quantity, term and billing cycle: Partner
  Center judges the quantity too (``SeatCount``). Partner Center limits this route to 625
  requests a minute per partner; the client's budget paces it as its own family
  (``promotionEligibilities``, :data:`~csp_commerce.provisioning.pacing.DOCUMENTED_RATES`).
- **End dates** (``customTermEndDates``) for each term a line asks an end date for; read fresh
  every time (they move with the date and the customer's subscriptions).

The client stack is imported only when facts are gathered (``Checkout`` imports this module for
:func:`with_line_terms` and :func:`with_promotion`). The flow is described once (a generator
of fetches) and run by the sync or the async client. :func:`with_line_terms` and
:func:`with_promotion` put the promotion a line gets (and its end date) on its plan, which the
purchase sends, and on its price.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from csp_commerce.checkout.facts_cache import MISSING
from csp_commerce.errors import NotFoundError, PermissionDeniedError
from csp_commerce.models import BillingCycle, LineAction, PromotionFact, TermDuration
from csp_commerce.money.promotions import promoted_price

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

    from csp_commerce.checkout.facts_cache import FactsCache
    from csp_commerce.fulfilment.program import Program
    from csp_commerce.models import CheckoutFacts, LinePlan, Order, OrderLine
    from csp_commerce.models.price import LinePrice
    from csp_commerce.provisioning._core import ClientCore
    from csp_commerce.provisioning.async_client import AsyncPartnerCenterClient
    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.provisioning.wire import (
        CustomTermEndDate,
        ProductPromotion,
        PromotionEligibilities,
        PromotionEligibilityRequestItem,
        RequiredProduct,
    )

    Fetch = Callable[[Any], Any]
    Plan = tuple[str, int, TermDuration, BillingCycle]  # catalog item, quantity, term, cycle
    Verdicts = dict[str, tuple[bool, tuple[str, ...]]]  # promotion id -> (eligible, reasons)
    Flow = Generator[Fetch, Any, dict[str, Any]]

#: Errors that mean "no promotions or end dates to be had here" (no relationship yet).
_NO_ACCESS = (NotFoundError, PermissionDeniedError)
#: The reason recorded for a promotion Partner Center's answer did not judge.
NOT_JUDGED = "NotJudged"


def _new_commerce(line: OrderLine) -> bool:
    """A new subscription of a new-commerce offer (``product:sku:availability``)."""
    return line.subscription_id is None and line.offer.id.count(":") == 2


def _listing(country: str, segment: str) -> Fetch:
    def fetch(client: Any) -> Any:
        return client.promotions.list(country, segment)

    return fetch


def _eligibilities(tenant: str, items: list[PromotionEligibilityRequestItem]) -> Fetch:
    def fetch(client: Any) -> Any:
        return client.promotions.eligibilities(tenant, items)

    return fetch


def _end_dates(tenant: str, term: str) -> Fetch:
    def fetch(client: Any) -> Any:
        return client.term_end_dates.list(tenant, term)

    return fetch


def _plan_of(required: RequiredProduct) -> tuple[TermDuration, BillingCycle] | None:
    try:
        return (
            TermDuration(str(required.term.duration).upper()),
            BillingCycle(str(required.term.billing_cycle).lower()),
        )
    except ValueError:
        return None  # a plan this library does not know: no fact about it


def _promotion_flow(
    partner: str, order: Order, cache: FactsCache | None
) -> Generator[Fetch, Any, tuple[PromotionFact, ...]]:
    tenant = order.customer.tenant_id
    lines = [line for line in order.lines if _new_commerce(line)]
    country = order.customer.country
    if tenant is None or not lines or not country:
        return ()
    listed: dict[str, list[ProductPromotion]] = {}
    for segment in sorted({line.offer.segment.value for line in lines}):
        market = ("promotions", partner, country.upper(), segment)
        found = cache.get(market) if cache is not None else MISSING
        if found is MISSING:
            found = yield _listing(country, segment)
            if cache is not None:
                cache.put(market, found)
        listed[segment] = found
    wanted: dict[Plan, list[tuple[OrderLine, ProductPromotion, RequiredProduct]]] = {}
    for line in lines:
        product_id, sku_id, _ = line.offer.id.split(":")
        for promotion in listed[line.offer.segment.value]:
            for required in promotion.required_products:
                terms = _plan_of(required)
                if (
                    terms is None
                    or (required.product_id, required.sku_id) != (product_id, sku_id)
                    or required.percent_discount() is None
                ):
                    continue
                plan: Plan = (line.offer.id, line.quantity, terms[0], terms[1])
                wanted.setdefault(plan, []).append((line, promotion, required))
    verdicts: dict[Plan, Verdicts] = {}
    for wanted_plan in wanted:
        kept = ("promotion_eligibility", partner, tenant, *wanted_plan)
        known = cache.get(kept) if cache is not None else MISSING
        if known is not MISSING:
            verdicts[wanted_plan] = known
    missing = [plan for plan in wanted if plan not in verdicts]
    if missing:
        from csp_commerce.provisioning.wire import PromotionEligibilityRequestItem

        items = [
            PromotionEligibilityRequestItem(
                id=index,
                catalog_item_id=plan[0],
                quantity=plan[1],
                term_duration=plan[2].value,
                billing_cycle=plan[3].value,
            )
            for index, plan in enumerate(missing)
        ]
        answers: list[PromotionEligibilities] = yield _eligibilities(tenant, items)
        for index, answer in enumerate(answers):
            judged = missing[answer.id if 0 <= answer.id < len(missing) else index]
            verdicts[judged] = {
                verdict.promotion_id: (
                    verdict.is_eligible,
                    tuple(str(error.type) for error in verdict.errors if error.type),
                )
                for verdict in answer.eligibilities
                if verdict.promotion_id
            }
            if cache is not None:
                cache.put(("promotion_eligibility", partner, tenant, *judged), verdicts[judged])
    facts: list[PromotionFact] = []
    for judged, entries in wanted.items():
        for line, promotion, required in entries:
            eligible, reasons = verdicts.get(judged, {}).get(promotion.id, (False, (NOT_JUDGED,)))
            discount = required.percent_discount()
            assert discount is not None  # only such required products are wanted
            facts.append(
                PromotionFact(
                    line_id=line.id,
                    promotion_id=promotion.id,
                    name=promotion.name,
                    term_duration=judged[2],
                    billing_cycle=judged[3],
                    discount=discount,
                    eligible=eligible,
                    reasons=reasons,
                )
            )
    return tuple(facts)


def _end_date_flow(order: Order) -> Generator[Fetch, Any, dict[TermDuration, tuple[date, ...]]]:
    tenant = order.customer.tenant_id
    terms = sorted(
        {
            line.term_duration
            for line in order.lines
            if line.custom_term_end_date is not None and line.term_duration is not None
        },
        key=lambda term: term.value,
    )
    found: dict[TermDuration, tuple[date, ...]] = {}
    if tenant is None:
        return found
    for term in terms:
        dates: list[CustomTermEndDate] = yield _end_dates(tenant, term.value)
        found[term] = tuple(
            sorted({date.fromisoformat(d.allowed_custom_term_end_date[:10]) for d in dates})
        )
    return found


def _flow(partner: str, order: Order, cache: FactsCache | None) -> Flow:
    promotions = yield from _promotion_flow(partner, order, cache)
    end_dates = yield from _end_date_flow(order)
    return {"promotions": promotions, "term_end_dates": end_dates}


def _partner(client: ClientCore) -> str:
    """Whose Partner Center the cache keys are for (as ``gather_facts`` keys them)."""
    return f"{client.base_url}|{getattr(client.credential, 'tenant_id', None) or ''}"


def _facts_program(
    client: ClientCore, order: Order, facts: CheckoutFacts, cache: FactsCache | None
) -> Program[CheckoutFacts]:
    """The flow as a program for either client: ``facts`` as they were when the customer's
    tenant cannot be read (a new customer, no relationship)."""
    flow = _flow(_partner(client), order, cache)
    try:
        fetch = next(flow)
        while True:
            try:
                result = yield fetch(client)
            except _NO_ACCESS:
                return facts
            fetch = flow.send(result)
    except StopIteration as done:
        return facts.model_copy(update=done.value)


def line_term_facts(
    client: PartnerCenterClient,
    order: Order,
    facts: CheckoutFacts,
    *,
    cache: FactsCache | None = None,
) -> CheckoutFacts:
    """``facts`` with the order lines' promotions and offered end dates (see the module)."""
    import time

    from csp_commerce.fulfilment.program import run

    return run(_facts_program(client, order, facts, cache), time.sleep)


async def line_term_facts_async(
    client: AsyncPartnerCenterClient,
    order: Order,
    facts: CheckoutFacts,
    *,
    cache: FactsCache | None = None,
) -> CheckoutFacts:
    """:func:`line_term_facts` with the async client."""
    import asyncio

    from csp_commerce.fulfilment.program import run_async

    return await run_async(_facts_program(client, order, facts, cache), asyncio.sleep)


# -- the plan and the price ---------------------------------------------------------------------


def with_line_terms(plan: LinePlan, line: OrderLine, facts: CheckoutFacts) -> LinePlan:
    """``plan`` carrying what the purchase sends for ``line``: the promotion it gets
    (``CheckoutFacts.promotion_for``) and its chosen end date."""
    if plan.action is LineAction.ADD_QUANTITY:
        return plan
    promotion = facts.promotion_for(line)
    return plan.model_copy(
        update={
            "promotion_id": promotion.promotion_id if promotion is not None else None,
            "custom_term_end_date": line.custom_term_end_date,
        }
    )


def with_promotion(
    price: LinePrice | None, line: OrderLine, facts: CheckoutFacts
) -> LinePrice | None:
    """``price`` lowered by the promotion ``line`` gets (:mod:`csp_commerce.money.promotions`)."""
    promotion = facts.promotion_for(line)
    if price is None or promotion is None:
        return price
    return promoted_price(price, promotion.promotion_id, promotion.discount)


__all__ = [
    "NOT_JUDGED",
    "line_term_facts",
    "line_term_facts_async",
    "with_line_terms",
    "with_promotion",
]
