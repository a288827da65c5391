"""Relationships: the reseller invitation link, indirect resellers, MPN profiles."""

from __future__ import annotations

from pydantic import Field

from csp_commerce.provisioning.wire._pc_model import Attributes, PCModel


class RelationshipRequest(PCModel):
    """The link a customer's global admin follows to accept the reseller relationship."""

    url: str


class PartnerRelationship(PCModel):
    """An indirect reseller (or a customer's reseller) related to the partner."""

    id: str
    name: str | None = None
    relationship_type: str | None = None
    state: str | None = None
    mpn_id: str | None = None
    location: str | None = None


class MpnProfile(PCModel):
    """A partner organisation's MPN profile (``GET /v1/profiles/mpn``)."""

    mpn_id: str = Field(min_length=1)
    partner_name: str | None = None
    profile_type: str | None = None
    attributes: Attributes | None = None
