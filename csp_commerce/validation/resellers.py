"""Indirect resellers: an order through a reseller needs the reseller's standing with Microsoft.

The reseller must be identified by its numeric MPN id (PartnerID), be an indirect reseller of
this provider in Partner Center, and have signed the Microsoft Partner Agreement. The facts
come from Partner Center (relationships, MPN profile, ``compliance/csp/agreementstatus``); when
they were not gathered the order cannot be judged, and that is a Problem too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.models.catalogue import define
from csp_commerce.models.clouds import Cloud

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutFacts, Order, Problem
    from csp_commerce.models.settings import CheckoutSettings

#: Clouds where Partner Center can verify MPA status (the verification API is public-cloud only).
MPA_CLOUDS = frozenset({Cloud.GLOBAL})

PARTNER_ID_INVALID = define(
    "reseller.partner_id_invalid",
    "reseller.partner_id",
    "The reseller's partner id {partner_id} is not an MPN id (PartnerID): it must be numeric.",
)
FACTS_MISSING = define(
    "reseller.facts_missing",
    "reseller",
    "Nothing is known about reseller {partner_id}: the facts about it were not gathered from "
    "Partner Center, so the order cannot be checked. Try again later.",
)
NOT_RELATED = define(
    "reseller.not_related",
    "reseller",
    "Reseller {partner_id} is not an indirect reseller of this provider in Partner Center; it "
    "must accept the provider's reseller invitation first.",
)
MPN_INVALID = define(
    "reseller.mpn_invalid",
    "reseller.partner_id",
    "Microsoft does not know the MPN id (PartnerID) {partner_id} as a valid partner.",
)
MPA_NOT_SIGNED = define(
    "reseller.mpa_not_signed",
    "reseller",
    "Reseller {partner_id} has not signed the Microsoft Partner Agreement; it must accept it in "
    "Partner Center before it can order.",
)


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
