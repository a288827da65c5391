"""Problems of an indirect reseller: its MPN id, relationship and signed MPA (the rules are in
``validation/resellers.py``).
"""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

PARTNER_ID_INVALID = ProblemType(
    "reseller.partner_id_invalid",
    "reseller.partner_id",
    "The reseller's partner id {partner_id} is not an MPN id (PartnerID): it must be numeric.",
)
FACTS_MISSING = ProblemType(
    "reseller.facts_missing",
    "reseller",
    "Nothing is known about reseller {partner_id}: the facts about it were not gathered from "
    "Partner Center, so the order cannot be checked. Try again later.",
)
NOT_RELATED = ProblemType(
    "reseller.not_related",
    "reseller",
    "Reseller {partner_id} is not an indirect reseller of this provider in Partner Center; it "
    "must accept the provider's reseller invitation first.",
)
MPN_INVALID = ProblemType(
    "reseller.mpn_invalid",
    "reseller.partner_id",
    "Microsoft does not know the MPN id (PartnerID) {partner_id} as a valid partner.",
)
MPA_NOT_SIGNED = ProblemType(
    "reseller.mpa_not_signed",
    "reseller",
    "Reseller {partner_id} has not signed the Microsoft Partner Agreement; it must accept it in "
    "Partner Center before it can order.",
)
