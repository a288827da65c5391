"""GDAP on Microsoft Graph: relationships, their requests and operations, access assignments.

Graph calls carry a Graph-scoped token (``DelegatedAdminRelationship.ReadWrite.All``; access
assignments need a delegated, i.e. app+user, token) and go to the cloud's Graph. Listings follow
``@odata.nextLink`` to the end. Rules a request must meet (roles, duration, unique display
name) are checked before it by ``csp_commerce.validation.gdap_rules``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import TypeAdapter

from csp_commerce.provisioning._core import Call, model, status_is
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    operation,
    quote,
)
from csp_commerce.provisioning.wire.gdap import (
    DelegatedAdminAccessAssignment,
    DelegatedAdminRelationship,
    DelegatedAdminRelationshipOperation,
    DelegatedAdminRelationshipRequest,
    GraphPage,
)

if TYPE_CHECKING:
    from collections.abc import Generator, Sequence

T = TypeVar("T")
RELATIONSHIPS = "/tenantRelationships/delegatedAdminRelationships"  # on the Graph base (/v1.0)


def _relationship(relationship_id: str) -> str:
    return f"{RELATIONSHIPS}/{quote(relationship_id)}"


def _roles(role_ids: Sequence[str]) -> dict[str, Any]:
    return {"unifiedRoles": [{"roleDefinitionId": role} for role in role_ids]}


def _all(
    path: str, item: type[T], *, app_user: bool = False
) -> Generator[Call[GraphPage], GraphPage, list[T]]:
    """Every item of a Graph collection, page after page."""
    adapter = TypeAdapter(item)
    items: list[T] = []
    next_path: str | None = path
    while next_path is not None:
        page = yield Call("GET", next_path, model(GraphPage), app_user=app_user, graph=True)
        items.extend(adapter.validate_python(value) for value in page.value)
        next_path = page.next_link
    return items


def _create_relationship(
    display_name: str,
    duration: str,
    role_ids: list[str],
    customer_tenant_id: str | None = None,
    auto_extend: str = "P180D",
    request_id: str | None = None,
) -> Call[DelegatedAdminRelationship]:
    """Create a relationship (``created``); lock it for approval to send it to the customer."""
    body: dict[str, Any] = {
        "displayName": display_name,
        "duration": duration,
        "accessDetails": _roles(role_ids),
        "autoExtendDuration": auto_extend,
    }
    if customer_tenant_id:
        body["customer"] = {"tenantId": customer_tenant_id}
    return Call(
        "POST",
        RELATIONSHIPS,
        model(DelegatedAdminRelationship),
        json=body,
        graph=True,
        request_id=request_id,
    )


def _get_relationship(relationship_id: str) -> Call[DelegatedAdminRelationship]:
    """One relationship, with its status and end date."""
    return Call(
        "GET", _relationship(relationship_id), model(DelegatedAdminRelationship), graph=True
    )


def _list_relationships() -> Generator[
    Call[GraphPage], GraphPage, list[DelegatedAdminRelationship]
]:
    """Every relationship of the partner (all pages)."""
    return _all(RELATIONSHIPS, DelegatedAdminRelationship)


def _request(
    relationship_id: str, action: str, request_id: str | None = None
) -> Call[DelegatedAdminRelationshipRequest]:
    # ``reject`` is an evolvable enum member: Graph shows it only to a caller that says so.
    return Call(
        "POST",
        _relationship(relationship_id) + "/requests",
        model(DelegatedAdminRelationshipRequest),
        json={"action": action},
        headers={"Prefer": "include-unknown-enum-members"} if action == "reject" else None,
        graph=True,
        request_id=request_id,
    )


def _lock_for_approval(
    relationship_id: str, request_id: str | None = None
) -> Call[DelegatedAdminRelationshipRequest]:
    """Lock a ``created`` relationship for the customer's approval (``approvalPending``); send
    the customer :func:`~csp_commerce.provisioning.wire.gdap.approval_link`."""
    return _request(relationship_id, "lockForApproval", request_id)


def _terminate(
    relationship_id: str, request_id: str | None = None
) -> Call[DelegatedAdminRelationshipRequest]:
    """End an active relationship (``terminationRequested`` then ``terminated``)."""
    return _request(relationship_id, "terminate", request_id)


def _approve(
    relationship_id: str, request_id: str | None = None
) -> Call[DelegatedAdminRelationshipRequest]:
    """As an indirect reseller, approve a relationship an indirect provider made for it (a
    ``resellerDelegatedAdminRelationship`` whose ``isPartnerConsentPending`` is true)."""
    return _request(relationship_id, "approve", request_id)


def _reject(
    relationship_id: str, request_id: str | None = None
) -> Call[DelegatedAdminRelationshipRequest]:
    """As an indirect reseller, reject a relationship an indirect provider made for it."""
    return _request(relationship_id, "reject", request_id)


def _operations(
    relationship_id: str,
) -> Generator[Call[GraphPage], GraphPage, list[DelegatedAdminRelationshipOperation]]:
    """The relationship's long-running operations (all pages)."""
    return _all(_relationship(relationship_id) + "/operations", DelegatedAdminRelationshipOperation)


def _create_access_assignment(
    relationship_id: str, group_id: str, role_ids: list[str], request_id: str | None = None
) -> Call[DelegatedAdminAccessAssignment]:
    """Give a partner security group roles of an active relationship (``pending`` at first)."""
    body = {
        "accessContainer": {"accessContainerId": group_id, "accessContainerType": "securityGroup"},
        "accessDetails": _roles(role_ids),
    }
    return Call(
        "POST",
        _relationship(relationship_id) + "/accessAssignments",
        model(DelegatedAdminAccessAssignment),
        json=body,
        app_user=True,
        graph=True,
        request_id=request_id,
    )


def _assignment(relationship_id: str, assignment_id: str) -> str:
    return f"{_relationship(relationship_id)}/accessAssignments/{quote(assignment_id)}"


def _get_access_assignment(
    relationship_id: str, assignment_id: str
) -> Call[DelegatedAdminAccessAssignment]:
    """One access assignment, with its status."""
    return Call(
        "GET",
        _assignment(relationship_id, assignment_id),
        model(DelegatedAdminAccessAssignment),
        app_user=True,
        graph=True,
    )


def _list_access_assignments(
    relationship_id: str,
) -> Generator[Call[GraphPage], GraphPage, list[DelegatedAdminAccessAssignment]]:
    """Every access assignment of the relationship (all pages)."""
    path = _relationship(relationship_id) + "/accessAssignments"
    return _all(path, DelegatedAdminAccessAssignment, app_user=True)


def _update_access_assignment(
    relationship_id: str,
    assignment_id: str,
    role_ids: list[str],
    etag: str,
    request_id: str | None = None,
) -> Call[DelegatedAdminAccessAssignment]:
    """Replace an assignment's roles (``If-Match``: its ``@odata.etag``)."""
    return Call(
        "PATCH",
        _assignment(relationship_id, assignment_id),
        model(DelegatedAdminAccessAssignment),
        json={"accessDetails": _roles(role_ids)},
        headers={"If-Match": etag},
        app_user=True,
        graph=True,
        request_id=request_id,
    )


def _delete_access_assignment(
    relationship_id: str, assignment_id: str, etag: str, request_id: str | None = None
) -> Call[bool]:
    """Remove an access assignment (``If-Match``: its ``@odata.etag``)."""
    return Call(
        "DELETE",
        _assignment(relationship_id, assignment_id),
        status_is(204),
        headers={"If-Match": etag},
        app_user=True,
        graph=True,
        request_id=request_id,
    )


class _Operations:
    create_relationship = operation(_create_relationship)
    get_relationship = operation(_get_relationship)
    list_relationships = operation(_list_relationships)
    lock_for_approval = operation(_lock_for_approval)
    terminate = operation(_terminate)
    approve = operation(_approve)
    reject = operation(_reject)
    operations = operation(_operations)
    create_access_assignment = operation(_create_access_assignment)
    get_access_assignment = operation(_get_access_assignment)
    list_access_assignments = operation(_list_access_assignments)
    update_access_assignment = operation(_update_access_assignment)
    delete_access_assignment = operation(_delete_access_assignment)


class Gdap(SyncResource, _Operations):
    """GDAP relationships and access assignments on Microsoft Graph. ``client.gdap``."""


class AsyncGdap(AsyncResource, _Operations):
    """GDAP relationships and access assignments on Microsoft Graph. ``client.gdap`` (async)."""
