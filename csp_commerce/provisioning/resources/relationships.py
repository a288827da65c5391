"""Relationships: the reseller invitation link, indirect resellers, MPN profiles, MPA status.

All need an app+user token.
"""

from __future__ import annotations

from csp_commerce.provisioning._core import Call, PageSpec, collection, model
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    listing,
    operation,
    quote,
)
from csp_commerce.provisioning.wire import (
    MpaStatus,
    MpnProfile,
    PartnerRelationship,
    RelationshipRequest,
)


def _request_link() -> Call[RelationshipRequest]:
    """The link an existing tenant's admin follows to accept the reseller relationship."""
    return Call(
        "GET", "/v1/customers/relationshiprequests", model(RelationshipRequest), app_user=True
    )


def _indirect_resellers() -> PageSpec[PartnerRelationship]:
    """The indirect resellers related to the partner (an indirect provider)."""
    return PageSpec(
        Call(
            "GET",
            "/v1/relationships",
            collection(PartnerRelationship),
            params={"relationship_type": "IsIndirectCloudSolutionProviderOf"},
            app_user=True,
        )
    )


def _indirect_providers() -> PageSpec[PartnerRelationship]:
    """The indirect providers of the partner, when it is signed in as an indirect reseller
    (``relationship_type=IsIndirectResellerOf``)."""
    return PageSpec(
        Call(
            "GET",
            "/v1/relationships",
            collection(PartnerRelationship),
            params={"relationship_type": "IsIndirectResellerOf"},
            app_user=True,
        )
    )


def _customer_resellers(customer_id: str) -> PageSpec[PartnerRelationship]:
    """The resellers related to a customer."""
    return PageSpec(
        Call(
            "GET",
            f"/v1/customers/{quote(customer_id)}/relationships",
            collection(PartnerRelationship),
            app_user=True,
        )
    )


def _mpn_profile(mpn_id: str) -> Call[MpnProfile]:
    """The MPN profile of ``mpn_id`` (:class:`UnknownMpnError` when there is none)."""
    return Call(
        "GET", "/v1/profiles/mpn", model(MpnProfile), params={"mpnId": mpn_id}, app_user=True
    )


def _mpa_status(mpn_id: str) -> Call[MpaStatus]:
    """Whether the reseller ``mpn_id`` signed the Microsoft Partner Agreement
    (:class:`MpaStatusError` for codes 2000-2206)."""
    return Call(
        "GET",
        "/v1/compliance/csp/agreementstatus",
        model(MpaStatus),
        params={"mpnId": mpn_id},
        app_user=True,
        context="mpa",
    )


class _Operations:
    request_link = operation(_request_link)
    indirect_resellers = listing(_indirect_resellers)
    indirect_providers = listing(_indirect_providers)
    customer_resellers = listing(_customer_resellers)
    mpn_profile = operation(_mpn_profile)
    mpa_status = operation(_mpa_status)


class Relationships(SyncResource, _Operations):
    """Reseller invitation link, indirect resellers, MPN profiles, MPA status.

    ``client.relationships``.
    """


class AsyncRelationships(AsyncResource, _Operations):
    """Reseller invitation link, indirect resellers, MPN profiles, MPA status.

    ``client.relationships`` (async).
    """
