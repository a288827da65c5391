"""GDAP shapes on Microsoft Graph (``/v1.0/tenantRelationships/...``), camelCase like Partner
Center's; unknown fields (and ``@odata.etag``) are kept."""

from __future__ import annotations

from pydantic import Field

from csp_commerce.provisioning.wire._pc_model import PCModel

#: Where the customer's admin approves a relationship (unapproved requests expire in 90 days).
APPROVAL_LINK = (
    "https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/"
    "granularAdminRelationships/{relationship_id}"
)


def approval_link(relationship_id: str) -> str:
    """The link the customer's Global Administrator follows to approve the relationship."""
    return APPROVAL_LINK.format(relationship_id=relationship_id)


class UnifiedRole(PCModel):
    """One Entra role, by its role template id."""

    role_definition_id: str


class AccessDetails(PCModel):
    """The roles a relationship or an access assignment grants."""

    unified_roles: list[UnifiedRole] = Field(default_factory=list)


class GdapCustomer(PCModel):
    """The customer tenant of a relationship (absent: any customer may approve it)."""

    tenant_id: str | None = None
    display_name: str | None = None


class DelegatedAdminRelationship(PCModel):
    """A GDAP relationship: ``status`` ``created``, ``approvalPending``, ``active``,
    ``terminationRequested``, ``terminated``, ``expired`` (and more Graph may add)."""

    id: str
    display_name: str
    duration: str
    status: str
    auto_extend_duration: str | None = None
    customer: GdapCustomer | None = None
    access_details: AccessDetails = Field(default_factory=AccessDetails)
    created_date_time: str | None = None
    activated_date_time: str | None = None
    end_date_time: str | None = None
    last_modified_date_time: str | None = None
    etag: str | None = Field(default=None, alias="@odata.etag")


class ResellerDelegatedAdminRelationship(DelegatedAdminRelationship):
    """A relationship an indirect provider made for an indirect reseller
    (``@odata.type`` ``#microsoft.graph.resellerDelegatedAdminRelationship``); the reseller
    approves or rejects it. Read any relationship as one with :meth:`of`."""

    odata_type: str | None = Field(default=None, alias="@odata.type")
    indirect_provider_tenant_id: str | None = None
    #: True until the indirect reseller approves or rejects the relationship.
    is_partner_consent_pending: bool | None = None

    @classmethod
    def of(cls, relationship: DelegatedAdminRelationship) -> ResellerDelegatedAdminRelationship:
        """``relationship`` with the reseller fields it carries (None when it has none)."""
        return cls.model_validate(relationship.model_dump(mode="json", by_alias=True))


class DelegatedAdminRelationshipRequest(PCModel):
    """An action on a relationship (``lockForApproval``, ``terminate``; an indirect reseller's
    ``approve``, ``reject``) and its ``status``."""

    id: str
    action: str
    status: str
    created_date_time: str | None = None


class DelegatedAdminRelationshipOperation(PCModel):
    """A long-running operation on a relationship (e.g. a role removed while active)."""

    id: str
    operation_type: str
    status: str
    data: str | None = None
    created_date_time: str | None = None


class AccessContainer(PCModel):
    """The partner's security group an access assignment gives roles to."""

    access_container_id: str
    access_container_type: str = "securityGroup"


class DelegatedAdminAccessAssignment(PCModel):
    """An access assignment: ``status`` ``pending`` then ``active`` (``deleting``, ``deleted``,
    ``error``)."""

    id: str
    status: str
    access_container: AccessContainer
    access_details: AccessDetails = Field(default_factory=AccessDetails)
    created_date_time: str | None = None
    last_modified_date_time: str | None = None
    etag: str | None = Field(default=None, alias="@odata.etag")


class GraphPage(PCModel):
    """A Graph collection page: ``value`` and, while more remain, ``@odata.nextLink``."""

    value: list[dict[str, object]] = Field(default_factory=list)
    next_link: str | None = Field(default=None, alias="@odata.nextLink")
