"""The Microsoft Customer Agreement: no order without the customer's acceptance on record.

Microsoft requires the partner to obtain the customer's acceptance before ordering. It is
given by the customer at the storefront, or confirmed by the reseller (or the partner's staff)
on the customer's behalf, with the customer's contact: first and last name, email and phone.
Clouds without MCA (21Vianet, US Government) and hosts that opt out (``require_mca=False``)
skip the rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from csp_commerce.models.agreement import AcceptanceSource
from csp_commerce.models.catalogue.mca_codes import (
    IN_FUTURE,
    NOT_ACCEPTED,
    OTHER_CUSTOMER,
    PHONE_MISSING,
    RESELLER_MISSING,
)
from csp_commerce.models.clouds import ENDPOINTS
from csp_commerce.models.facts import McaFacts

if TYPE_CHECKING:
    from collections.abc import Callable

    from csp_commerce.models import CheckoutFacts, McaAcceptance, Order, Problem
    from csp_commerce.models.settings import CheckoutSettings


#: Clock skew tolerated between the storefront and us.
_SKEW = timedelta(minutes=5)


def required(settings: CheckoutSettings) -> bool:
    """Whether orders need the MCA under ``settings`` (host policy and the cloud)."""
    return settings.require_mca and ENDPOINTS[settings.cloud].supports_mca


def check_order(order: Order, facts: CheckoutFacts, settings: CheckoutSettings) -> list[Problem]:
    """A Problem unless the customer's acceptance is on record (or the MCA is not required)."""
    if not required(settings):
        return []
    customer = order.customer.reference
    mca = facts.mca
    if not mca.accepted:
        return [NOT_ACCEPTED(customer=customer, acting=order.acting.value)]
    recorded = mca.acceptance
    if recorded is not None and recorded.customer_reference != customer:
        return [OTHER_CUSTOMER(customer=customer, recorded_for=recorded.customer_reference)]
    return []


def check_acceptance(
    acceptance: McaAcceptance, now: Callable[[], datetime] | None = None
) -> list[Problem]:
    """Problems that keep ``acceptance`` from being valid evidence (fields are relative to it)."""
    problems: list[Problem] = []
    if not acceptance.contact.phone_number:
        problems.append(PHONE_MISSING())
    if acceptance.source is AcceptanceSource.RESELLER and not acceptance.reseller_partner_id:
        problems.append(RESELLER_MISSING())
    current = now() if now is not None else datetime.now(timezone.utc)
    if acceptance.accepted_at > current + _SKEW:
        problems.append(IN_FUTURE(accepted_at=acceptance.accepted_at.isoformat()))
    return problems


def facts_from(acceptance: McaAcceptance | None) -> McaFacts:
    """The MCA facts for a customer whose latest recorded acceptance is ``acceptance``."""
    return McaFacts(accepted=acceptance is not None, acceptance=acceptance)
