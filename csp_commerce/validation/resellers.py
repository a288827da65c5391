"""Indirect resellers: an order through a reseller needs the reseller's standing with Microsoft.

The reseller must be identified by its numeric MPN id (PartnerID), be an indirect reseller of
this provider in Partner Center, and have signed the Microsoft Partner Agreement. The facts
come from Partner Center (relationships, MPN profile, ``compliance/csp/agreementstatus``); when
they were not gathered the order cannot be judged, and that is a Problem too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.models.catalogue.resellers_codes import (
    FACTS_MISSING,
    MPA_NOT_SIGNED,
    MPN_INVALID,
    NOT_RELATED,
    PARTNER_ID_INVALID,
)
from csp_commerce.models.clouds import Cloud

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutFacts, Order, Problem
    from csp_commerce.models.settings import CheckoutSettings

#: Clouds where Partner Center can verify MPA status (the verification API is public-cloud only).
MPA_CLOUDS = frozenset({Cloud.GLOBAL})


def check_order(order: Order, facts: CheckoutFacts, settings: CheckoutSettings) -> list[Problem]:
    """Problems with the order's indirect reseller; none for a direct order."""
    reseller = order.reseller
    if reseller is None:
        return []
    partner_id = reseller.partner_id
    if not (partner_id.isascii() and partner_id.isdigit()):
        return [PARTNER_ID_INVALID(partner_id=partner_id)]
    known = facts.resellers.get(partner_id)
    if known is None:
        return [FACTS_MISSING(partner_id=partner_id)]
    problems: list[Problem] = []
    if not known.related:
        problems.append(NOT_RELATED(partner_id=partner_id))
    if not known.mpn_valid:
        problems.append(MPN_INVALID(partner_id=partner_id))
    if not known.mpa_signed and settings.cloud in MPA_CLOUDS:
        problems.append(MPA_NOT_SIGNED(partner_id=partner_id))
    return problems
