"""Billing cycles and terms: what an offer may be bought with, and lines that ask for more.

An offer's own cycles and terms are narrowed by what the host has enabled in its BSS (per
product, or for all) and by the cloud (21Vianet in China bills annually only). A term must be
at least as long as the billing cycle: annual billing needs a one- or three-year term.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.models.catalogue.billing_options_codes import (
    CYCLE_NOT_OFFERED,
    TERM_NOT_OFFERED,
    TERM_TOO_SHORT,
    TERM_UNAVAILABLE,
    UNAVAILABLE,
)
from csp_commerce.models.clouds import ENDPOINTS
from csp_commerce.models.offer import BillingCycle, TermDuration
from csp_commerce.models.plan import BillingOptions

if TYPE_CHECKING:
    from csp_commerce.models import Offer, OrderLine, Problem
    from csp_commerce.models.settings import CheckoutSettings

#: The terms each billing cycle can be used with (the term is at least one billing period).
TERMS_FOR_CYCLE: dict[BillingCycle, frozenset[TermDuration]] = {
    BillingCycle.MONTHLY: frozenset(TermDuration),
    BillingCycle.ANNUAL: frozenset({TermDuration.P1Y, TermDuration.P3Y}),
    BillingCycle.TRIENNIAL: frozenset({TermDuration.P3Y}),
    BillingCycle.ONE_TIME: frozenset(TermDuration),
}


_ANNUAL_ONLY = frozenset({BillingCycle.ANNUAL})


def options_for(offer: Offer, settings: CheckoutSettings) -> BillingOptions:
    """The cycles and terms ``offer`` may be bought with under ``settings``."""
    enabled = settings.billing_cycles_by_product.get(offer.product_id, settings.billing_cycles)
    cycles = offer.billing_cycles & enabled
    reason = None
    if ENDPOINTS[settings.cloud].annual_billing_only:
        cycles &= _ANNUAL_ONLY
        reason = f"The {settings.cloud.value} cloud bills annually only."
    usable: frozenset[TermDuration] = frozenset()
    for cycle in cycles:
        usable |= TERMS_FOR_CYCLE[cycle]
    # Built without re-validation: every value above is already a checked enum member.
    return BillingOptions.model_construct(
        billing_cycles=cycles, term_durations=offer.term_durations & usable, reason=reason
    )


_SHORTEST_FIRST = (TermDuration.P1M, TermDuration.P1Y, TermDuration.P3Y)


def default_term(offer: Offer, cycle: BillingCycle) -> TermDuration | None:
    """The term a line gets when the storefront names none: the shortest the offer sells that
    suits ``cycle`` (Partner Center's carts need one), or None when none suits it."""
    for term in _SHORTEST_FIRST:
        if term in offer.term_durations and term in TERMS_FOR_CYCLE[cycle]:
            return term
    return None


def check_line(line: OrderLine, index: int, options: BillingOptions) -> list[Problem]:
    """Problems with ``line``'s billing cycle and term under ``options``.

    A line adding seats to an existing subscription keeps that subscription's cycle and term
    (the limits rule checks the match), so it is not judged against today's options.
    """
    if line.subscription_id is not None:
        return []
    cycles, terms = options.billing_cycles, options.term_durations
    cycle, term = line.billing_cycle, line.term_duration
    if cycle in cycles and (
        (term is None and default_term(line.offer, cycle) is not None)
        or (term in terms and term in TERMS_FOR_CYCLE[cycle])
    ):
        return []  # the common case: nothing to build
    name = line.offer.name
    if not cycles:
        reason = options.reason or "Ask the storefront to enable a billing cycle for it."
        return [UNAVAILABLE(field=f"lines.{index}.offer", offer=name, reason=reason)]
    problems: list[Problem] = []
    if cycle not in cycles:
        problems.append(
            CYCLE_NOT_OFFERED(
                field=f"lines.{index}.billing_cycle",
                offer=name,
                billing_cycle=cycle.value,
                offered=sorted(c.value for c in cycles),
                reason=options.reason,
            )
        )
    if term is None:
        if cycle in cycles and default_term(line.offer, cycle) is None:
            problems.append(
                TERM_UNAVAILABLE(
                    field=f"lines.{index}.term_duration",
                    offer=name,
                    billing_cycle=cycle.value,
                )
            )
        return problems
    if term not in terms:
        problems.append(
            TERM_NOT_OFFERED(
                field=f"lines.{index}.term_duration",
                offer=name,
                term_duration=term.value,
                offered=sorted(t.value for t in terms),
            )
        )
    elif term not in TERMS_FOR_CYCLE[cycle]:
        problems.append(
            TERM_TOO_SHORT(
                field=f"lines.{index}.term_duration",
                billing_cycle=cycle.value,
                term_duration=term.value,
                allowed=sorted(t.value for t in TERMS_FOR_CYCLE[cycle] & terms),
            )
        )
    return problems
