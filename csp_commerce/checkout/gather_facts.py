"""Gather what the checkout rules judge by from Partner Center, into :class:`CheckoutFacts`.

Rules never fetch: before ``Checkout.validate`` the host calls :func:`gather_facts` (or
:func:`gather_facts_async`, which runs the independent fetches concurrently) with the client
and the order. Facts fetched: the tenant (the customer, its relationship to the partner, the
invitation link when there is none; for a new customer, whether the domain is free), existing
subscriptions, qualifications, the MCA on record, the indirect reseller's MPN, MPA and
relationship, and the lines' promotions and offered end dates (``line_terms``). Agreements,
relationships, MPN and MPA need an app+user credential.

With a :class:`~csp_commerce.checkout.facts_cache.FactsCache` (``cache=``; the checkout holds
one), the reseller's MPN profile, MPA status and the partner's list of indirect resellers are
read once per batch, not once per order.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from csp_commerce.checkout.facts_cache import MISSING
from csp_commerce.checkout.line_terms import line_term_facts, line_term_facts_async
from csp_commerce.errors import (
    MpaStatusError,
    NotFoundError,
    PermissionDeniedError,
)
from csp_commerce.models import (
    AcceptanceSource,
    BillingCycle,
    CheckoutFacts,
    Contact,
    McaAcceptance,
    McaFacts,
    Qualification,
    QualificationFact,
    Relationship,
    ResellerFacts,
    SubscriptionFact,
    TenantFacts,
    TermDuration,
)
from csp_commerce.models.facts import VettingStatus
from csp_commerce.provisioning.pagination import AsyncPager, SyncPager

if TYPE_CHECKING:
    from collections.abc import Callable

    from csp_commerce.checkout.facts_cache import FactsCache
    from csp_commerce.models import Order
    from csp_commerce.provisioning._core import ClientCore
    from csp_commerce.provisioning.async_client import AsyncPartnerCenterClient
    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.provisioning.wire import (
        Agreement,
        CustomerQualification,
        MpaStatus,
        PartnerRelationship,
        PCCustomer,
        Subscription,
    )

_NO_ACCESS = (NotFoundError, PermissionDeniedError)


@dataclass(frozen=True)
class _Step:
    """One fetch: ``fetch(client)`` gives a result, an awaitable or a pager; a ``tolerate``-d
    error gives ``default`` instead (e.g. no subscriptions readable without a relationship)."""

    name: str
    fetch: Callable[[Any], Any]
    default: Any = None
    tolerate: tuple[type[Exception], ...] = ()


def _steps(client: ClientCore, order: Order, known: dict[str, Any]) -> list[_Step]:
    """The fetches ``order`` needs, but for the facts already ``known`` (from the cache)."""
    customer = order.customer
    steps: list[_Step] = []
    tenant_id = customer.tenant_id
    if tenant_id is not None:
        steps += [
            _Step("customer", lambda c: c.customers.get(tenant_id), None, _NO_ACCESS),
            _Step("subscriptions", lambda c: c.subscriptions.list(tenant_id), [], _NO_ACCESS),
            _Step("qualifications", lambda c: c.qualifications.get(tenant_id), [], _NO_ACCESS),
        ]
        if client.endpoints.supports_mca:
            steps.append(
                _Step("agreements", lambda c: c.agreements.list(tenant_id), [], _NO_ACCESS)
            )
    elif customer.company.domain:
        domain = customer.company.domain
        steps.append(_Step("domain_available", lambda c: c.customers.domain_available(domain)))
    reseller = order.reseller
    if reseller is not None:
        mpn = reseller.partner_id
        steps += [
            _Step("mpn_profile", lambda c: c.relationships.mpn_profile(mpn), None, _NO_ACCESS),
            _Step("mpa_status", lambda c: c.relationships.mpa_status(mpn), None, (MpaStatusError,)),
            _Step("resellers", lambda c: c.relationships.indirect_resellers(), []),
        ]
    return [step for step in steps if step.name not in known]


# -- the facts kept for a batch -----------------------------------------------------------------


def _cache_keys(client: ClientCore, order: Order) -> dict[str, tuple[str, ...]]:
    """The cache keys of the reseller facts ``order`` needs: the MPN profile and MPA status by
    partner and MPN id, the list of indirect resellers by partner."""
    if order.reseller is None:
        return {}
    partner = f"{client.base_url}|{getattr(client.credential, 'tenant_id', None) or ''}"
    mpn = order.reseller.partner_id
    return {
        "mpn_profile": ("mpn_profile", partner, mpn),
        "mpa_status": ("mpa_status", partner, mpn),
        "resellers": ("indirect_resellers", partner),
    }


def _recall(client: ClientCore, order: Order, cache: FactsCache | None) -> dict[str, Any]:
    """The reseller facts the cache holds for ``order``; the list of resellers only when it
    names this reseller (a newly related reseller is read again)."""
    if cache is None:
        return {}
    known = {}
    for name, key in _cache_keys(client, order).items():
        value = cache.get(key)
        if value is not MISSING:
            known[name] = value
    if "resellers" in known and not _is_related(order, known["resellers"]):
        del known["resellers"]
    return known


def _remember(
    client: ClientCore, order: Order, fetched: dict[str, Any], cache: FactsCache | None
) -> None:
    """Keep the reseller facts just read that let an order through (a missing MPN profile or
    an unsigned MPA is read again next time)."""
    if cache is None:
        return
    for name, key in _cache_keys(client, order).items():
        if name in fetched and _worth_keeping(name, fetched[name]):
            cache.put(key, fetched[name])


def _worth_keeping(name: str, value: Any) -> bool:
    if name == "mpn_profile":
        return value is not None  # None: no such MPN id (yet)
    if name == "mpa_status":
        return value is not None and bool(value.is_agreement_signed)
    return True  # the list of resellers: recalled only when it names the order's reseller


def _needs_invitation(order: Order, results: dict[str, Any]) -> bool:
    if order.customer.tenant_id is None:
        return False
    customer: PCCustomer | None = results.get("customer")
    return customer is None or _relationship(customer) is not Relationship.RESELLER


_INVITATION = _Step("request_link", lambda c: c.relationships.request_link())


def _run(client: PartnerCenterClient, step: _Step) -> Any:
    try:
        result = step.fetch(client)
        return list(result) if isinstance(result, SyncPager) else result
    except step.tolerate:
        return step.default


async def _run_async(client: AsyncPartnerCenterClient, step: _Step) -> Any:
    try:
        result = step.fetch(client)
        if isinstance(result, AsyncPager):
            return await result.to_list()
        return await result
    except step.tolerate:
        return step.default


def gather_facts(
    client: PartnerCenterClient, order: Order, *, cache: FactsCache | None = None
) -> CheckoutFacts:
    """The facts ``order`` is judged by, fetched one after another (the reseller's from
    ``cache`` when it holds them)."""
    known = _recall(client, order, cache)
    fetched = {step.name: _run(client, step) for step in _steps(client, order, known)}
    _remember(client, order, fetched, cache)
    results = {**fetched, **known}
    if _needs_invitation(order, results):
        results["request_link"] = _run(client, _INVITATION)
    return line_term_facts(client, order, assemble(order, results), cache=cache)


async def gather_facts_async(
    client: AsyncPartnerCenterClient, order: Order, *, cache: FactsCache | None = None
) -> CheckoutFacts:
    """The facts ``order`` is judged by, the independent fetches run concurrently (the
    reseller's from ``cache`` when it holds them)."""
    known = _recall(client, order, cache)
    steps = _steps(client, order, known)
    values = await asyncio.gather(*(_run_async(client, step) for step in steps))
    fetched = dict(zip((step.name for step in steps), values, strict=True))
    _remember(client, order, fetched, cache)
    results = {**fetched, **known}
    if _needs_invitation(order, results):
        results["request_link"] = await _run_async(client, _INVITATION)
    facts = assemble(order, results)
    return await line_term_facts_async(client, order, facts, cache=cache)


# ---------------------------------------------------------------------------------------------
# Pure assembly


def assemble(order: Order, results: dict[str, Any]) -> CheckoutFacts:
    """Build :class:`CheckoutFacts` from the fetched resources (keys as in the steps)."""
    subscriptions: list[Subscription] = results.get("subscriptions", [])
    qualifications: list[CustomerQualification] = results.get("qualifications", [])
    return CheckoutFacts(
        subscriptions=tuple(
            fact for fact in map(_subscription_fact, subscriptions) if fact is not None
        ),
        qualifications=tuple(
            fact for fact in map(_qualification_fact, qualifications) if fact is not None
        ),
        mca=_mca_facts(order, results.get("agreements", [])),
        tenant=_tenant_facts(order, results),
        resellers=_reseller_facts(order, results),
    )


def _relationship(customer: PCCustomer) -> Relationship:
    value = (customer.relationship_to_partner or "none").lower()
    try:
        return Relationship(value)
    except ValueError:
        return Relationship.NONE


def _tenant_facts(order: Order, results: dict[str, Any]) -> TenantFacts:
    customer = order.customer
    if customer.tenant_id is None:
        return TenantFacts(
            exists=False,
            domain=customer.company.domain,
            domain_available=results.get("domain_available"),
        )
    found: PCCustomer | None = results.get("customer")
    link = results.get("request_link")
    domain = found.company_profile.domain if found and found.company_profile else None
    return TenantFacts(
        exists=True,
        tenant_id=customer.tenant_id,
        domain=domain or customer.company.domain,
        relationship=_relationship(found) if found is not None else Relationship.NONE,
        relationship_request_url=link.url if link is not None else None,
    )


def _subscription_fact(subscription: Subscription) -> SubscriptionFact | None:
    try:
        cycle = BillingCycle((subscription.billing_cycle or "").lower())
    except ValueError:
        return None  # usage-billed (Azure plan) or unknown: no seat or plan limit applies
    offer_id = subscription.offer_id or subscription.id
    return SubscriptionFact(
        id=subscription.id,
        offer_id=offer_id,
        product_id=offer_id.split(":", 1)[0],
        billing_cycle=cycle,
        quantity=max(0, subscription.quantity),
        status=(subscription.status or "active").lower(),
        partner_id_on_record=subscription.partner_id or None,
        instance_name=subscription.friendly_name,  # a Dynamics instance is named by it
        term_duration=_term(subscription.term_duration),
    )


def _term(value: str | None) -> TermDuration | None:
    try:
        return TermDuration((value or "").upper())
    except ValueError:
        return None


_QUALIFICATIONS = {q.value.lower(): q for q in Qualification}
_VETTING = {v.value.lower(): v for v in VettingStatus}


def _qualification_fact(item: CustomerQualification) -> QualificationFact | None:
    qualification = _QUALIFICATIONS.get(item.qualification.lower())
    if qualification is None:
        return None  # "None", or a qualification this library does not know
    status = _VETTING.get((item.vetting_status or "approved").lower(), VettingStatus.IN_REVIEW)
    return QualificationFact(
        qualification=qualification, vetting_status=status, vetting_reason=item.vetting_reason
    )


def _mca_facts(order: Order, agreements: list[Agreement]) -> McaFacts:
    mcas = [
        a
        for a in agreements
        if (a.type or "MicrosoftCustomerAgreement").lower() == "microsoftcustomeragreement"
    ]
    if not mcas:
        return McaFacts()
    latest = max(mcas, key=lambda a: a.date_agreed or "")
    return McaFacts(accepted=True, acceptance=_acceptance(order, latest), on_record=True)


def _acceptance(order: Order, agreement: Agreement) -> McaAcceptance | None:
    contact = agreement.primary_contact
    if contact is None or not agreement.template_id or not agreement.date_agreed:
        return None
    try:
        return McaAcceptance(
            customer_reference=order.customer.reference,
            tenant_id=order.customer.tenant_id,
            template_id=agreement.template_id,
            contact=Contact(
                first_name=contact.first_name,
                last_name=contact.last_name,
                email=contact.email,
                phone_number=contact.phone_number,
            ),
            accepted_at=datetime.fromisoformat(agreement.date_agreed.replace("Z", "+00:00")),
            source=AcceptanceSource.MICROSOFT,
            confirmed_by=agreement.user_id or "partner-center",
            channel="partner-center",
        )
    except (ValidationError, ValueError):
        return None


def _reseller_facts(order: Order, results: dict[str, Any]) -> dict[str, ResellerFacts]:
    reseller = order.reseller
    if reseller is None:
        return {}
    status: MpaStatus | None = results.get("mpa_status")
    is_related = _is_related(order, results.get("resellers", []))
    return {
        reseller.partner_id: ResellerFacts(
            partner_id=reseller.partner_id,
            mpn_valid=results.get("mpn_profile") is not None,
            mpa_signed=bool(status and status.is_agreement_signed),
            related=is_related,
        )
    }


def _is_related(order: Order, related: list[PartnerRelationship]) -> bool:
    reseller = order.reseller
    assert reseller is not None
    return any(
        r.mpn_id == reseller.partner_id or bool(reseller.tenant_id and r.id == reseller.tenant_id)
        for r in related
    )


__all__ = ["assemble", "gather_facts", "gather_facts_async"]
