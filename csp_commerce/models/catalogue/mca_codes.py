"""Problems of the customer's Microsoft Customer Agreement acceptance (the rules are in
``validation/mca_rules.py``).
"""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

NOT_ACCEPTED = ProblemType(
    "mca.not_accepted",
    "customer",
    "No acceptance of the Microsoft Customer Agreement is on record for {customer}. The customer "
    "must accept it (or the reseller confirm, with the customer's contact name, email and phone, "
    "that the customer accepted it) before Microsoft products can be ordered.",
)
OTHER_CUSTOMER = ProblemType(
    "mca.other_customer",
    "customer",
    "The MCA acceptance on record is for {recorded_for}, not for {customer}.",
)
PHONE_MISSING = ProblemType(
    "mca.phone_missing",
    "contact.phone_number",
    "Microsoft needs the phone number of the person who accepted the MCA.",
)
RESELLER_MISSING = ProblemType(
    "mca.reseller_missing",
    "reseller_partner_id",
    "A reseller's confirmation must name the reseller (its partner id).",
)
IN_FUTURE = ProblemType(
    "mca.accepted_in_future",
    "accepted_at",
    "The MCA cannot have been accepted in the future ({accepted_at}).",
)
