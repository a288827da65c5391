"""Handlers: GDAP on Microsoft Graph (``/v1.0/tenantRelationships/delegatedAdminRelationships``).

States as Graph documents them: a relationship is ``created``, ``approvalPending`` once locked
for approval, ``active`` when the customer's admin approves it (here the sandbox admin route
``POST /sandbox/v1/gdap/{id}/approve``), ``terminated`` after a ``terminate`` request, and
``expired`` at its end date unless ``autoExtendDuration`` is ``P180D`` (then it runs 180 days
more, again and again). Access assignments can be made only on an active relationship, with its
roles; each is ``pending`` for :data:`ACTIVATION_SECONDS`, then ``active``.

Where Graph's documentation is silent the sandbox is strict: errors are 400 with Graph's error
body, a relationship's display name is unique among the partner's (any case), and listings
answer in one page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from csp_commerce.errors import EmulatedError
from csp_commerce.models.gdap import (
    AUTO_EXTEND_VALUES,
    DEFAULT_GDAP_ROLES,
    MAX_DISPLAY_NAME,
    ROLE_IDS,
    ROLES,
)
from csp_commerce.sandbox import webhook_routes
from csp_commerce.sandbox._http import Context, Reply, Request, parse_timestamp, timestamp
from csp_commerce.validation.gdap_rules import duration_days

if TYPE_CHECKING:
    from csp_commerce.sandbox.state import JSON

#: How long a new access assignment stays ``pending`` (Graph takes minutes; undocumented).
ACTIVATION_SECONDS = 60
AUTO_EXTEND_DAYS = 180
#: A relationship locked for approval and not approved within 90 days expires.
APPROVAL_DAYS = 90
RESELLER_TYPE = "#microsoft.graph.resellerDelegatedAdminRelationship"
PATH = "/tenantRelationships/delegatedAdminRelationships"  # under Graph's /v1.0


def _graph_error(status: int, code: str, message: str) -> EmulatedError:
    """Graph's error body, ``{"error": {"code", "message"}}``."""
    return EmulatedError(
        status, status, message, extra={"error": {"code": code, "message": message}}
    )


def _state(ctx: Context) -> JSON:
    gdap = ctx.world.gdap
    gdap.setdefault("relationships", {})
    gdap.setdefault("assignments", {})
    return gdap


def _relationship(ctx: Context, relationship_id: str) -> JSON:
    found: JSON | None = _state(ctx)["relationships"].get(relationship_id)
    if found is None:
        raise _graph_error(404, "NotFound", f"Relationship {relationship_id} was not found.")
    _age(ctx, found)
    return found


def _age(ctx: Context, relationship: JSON) -> None:
    """Expire (or auto-extend) an active relationship whose end date has passed, and expire a
    request the customer left unapproved for 90 days."""
    now = ctx.now()
    if relationship["status"] == "approvalPending":
        locked = parse_timestamp(relationship["lastModifiedDateTime"])
        if now >= locked + timedelta(days=APPROVAL_DAYS):
            relationship["status"] = "expired"
            _emit(ctx, "granular-admin-relationship-expired", relationship["id"])
        return
    if relationship["status"] != "active" or not relationship.get("endDateTime"):
        return
    end = parse_timestamp(relationship["endDateTime"])
    if end > now:
        return
    if relationship.get("autoExtendDuration") == "P180D":
        while end <= now:
            end += timedelta(days=AUTO_EXTEND_DAYS)
        relationship["endDateTime"] = timestamp(end)
        return
    relationship["status"] = "expired"
    _emit(ctx, "granular-admin-relationship-expired", relationship["id"])


def _emit(ctx: Context, event: str, relationship_id: str, suffix: str = "") -> None:
    webhook_routes.emit(
        ctx, event, f"{PATH}/{relationship_id}{suffix}", "delegatedAdminRelationship"
    )


def _roles(body: JSON) -> list[str]:
    details = body.get("accessDetails")
    roles = details.get("unifiedRoles") if isinstance(details, dict) else None
    if not isinstance(roles, list) or not roles:
        raise _graph_error(400, "BadRequest", "accessDetails.unifiedRoles is required.")
    ids = [role.get("roleDefinitionId") for role in roles if isinstance(role, dict)]
    unknown = [
        str(role) for role in ids if not isinstance(role, str) or role.lower() not in ROLE_IDS
    ]
    if unknown or len(ids) != len(roles):
        raise _graph_error(400, "BadRequest", f"Unknown roleDefinitionId: {', '.join(unknown)}.")
    return [role.lower() for role in ids if isinstance(role, str)]


def _etag(ctx: Context) -> str:
    return ctx.world.next_etag()


# -- relationships ------------------------------------------------------------------------------


def _check_name_free(ctx: Context, name: str) -> None:
    taken = {rel["displayName"].lower() for rel in _state(ctx)["relationships"].values()}
    if name.strip().lower() in taken:
        raise _graph_error(400, "BadRequest", f"The displayName {name!r} is already used.")


def create_relationship(ctx: Context, req: Request) -> Reply:
    """POST: a new relationship in ``created``."""
    body = req.json_object()
    name = body.get("displayName")
    duration = body.get("duration")
    extend = body.get("autoExtendDuration", "PT0S")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= MAX_DISPLAY_NAME:
        raise _graph_error(400, "BadRequest", "displayName must have 1 to 50 characters.")
    _check_name_free(ctx, name)
    days = duration_days(duration) if isinstance(duration, str) else None
    if days is None or not 1 <= days <= 730:
        raise _graph_error(400, "BadRequest", "duration must be between P1D and P2Y.")
    if not isinstance(extend, str) or extend.upper() not in AUTO_EXTEND_VALUES:
        raise _graph_error(400, "BadRequest", "autoExtendDuration must be PT0S or P180D.")
    roles = _roles(body)
    customer = body.get("customer") if isinstance(body.get("customer"), dict) else None
    relationship = _new_relationship(
        ctx,
        name.strip(),
        str(duration),
        extend.upper(),
        roles,
        {"tenantId": customer.get("tenantId"), "displayName": None} if customer else None,
        "created",
    )
    return Reply(201, relationship, {"Location": f"{PATH}/{relationship['id']}"})


def get_relationship(ctx: Context, req: Request) -> Reply:
    """GET: one relationship."""
    return Reply(200, _relationship(ctx, req.params[0]))


def list_relationships(ctx: Context, req: Request) -> Reply:
    """GET: every relationship (one page)."""
    relationships = list(_state(ctx)["relationships"].values())
    for relationship in relationships:
        _age(ctx, relationship)
    return Reply(200, {"value": relationships})


def post_request(ctx: Context, req: Request) -> Reply:
    """POST .../requests: ``lockForApproval`` (from ``created``) or ``terminate`` (active);
    an indirect reseller's ``approve`` or ``reject`` of a relationship its provider made."""
    relationship = _relationship(ctx, req.params[0])
    action = req.json_object().get("action")
    consent_pending = relationship.get("isPartnerConsentPending") is True
    if action == "reject" and "include-unknown-enum-members" not in req.headers.get("prefer", ""):
        # ``reject`` is an evolvable enum member: without the Prefer header Graph does not
        # know it (the sandbox refuses it, the stricter reading).
        raise _graph_error(400, "BadRequest", "Unknown action 'reject'.")
    if action == "lockForApproval" and relationship["status"] == "created":
        relationship["status"] = "approvalPending"
    elif action == "terminate" and relationship["status"] == "active":
        relationship["status"] = "terminated"
        _emit(ctx, "granular-admin-relationship-terminated", relationship["id"])
    elif action == "approve" and consent_pending:
        # Graph lists an ``approved`` status; activation is instant here, as for a customer.
        _activate(ctx, relationship)
        relationship["isPartnerConsentPending"] = False
        _emit(ctx, "granular-admin-relationship-approved", relationship["id"])
    elif action == "reject" and consent_pending:
        # Undocumented: what a rejected relationship becomes; the sandbox ends it.
        relationship.update(status="terminated", isPartnerConsentPending=False)
        _emit(ctx, "granular-admin-relationship-terminated", relationship["id"])
    else:
        raise _graph_error(
            400, "BadRequest", f"Action {action!r} is not allowed while {relationship['status']}."
        )
    relationship["lastModifiedDateTime"] = timestamp(ctx.now())
    relationship["@odata.etag"] = _etag(ctx)
    request = {
        "id": ctx.world.next_id(),
        "action": action,
        "status": "succeeded",
        "createdDateTime": timestamp(ctx.now()),
    }
    return Reply(201, request)


def list_operations(ctx: Context, req: Request) -> Reply:
    """GET .../operations: none are long-running in the sandbox (an empty page)."""
    _relationship(ctx, req.params[0])
    return Reply(200, {"value": []})


def approve(ctx: Context, req: Request) -> Reply:
    """Sandbox admin: the customer's Global Administrator approves the relationship."""
    relationship = _relationship(ctx, req.params[0])
    if relationship["status"] != "approvalPending" or relationship.get("isPartnerConsentPending"):
        raise _graph_error(400, "BadRequest", "Only a relationship pending approval is approved.")
    _activate(ctx, relationship)
    body = req.body if isinstance(req.body, dict) else {}
    if relationship["customer"] is None or not relationship["customer"].get("tenantId"):
        relationship["customer"] = {"tenantId": body.get("tenantId"), "displayName": None}
    _emit(ctx, "granular-admin-relationship-approved", relationship["id"])
    _emit(ctx, "granular-admin-relationship-activated", relationship["id"])
    return Reply(200, relationship)


def _activate(ctx: Context, relationship: JSON) -> None:
    now = ctx.now()
    days = duration_days(relationship["duration"]) or 0
    relationship.update(
        status="active",
        activatedDateTime=timestamp(now),
        endDateTime=timestamp(now + timedelta(days=days)),
        lastModifiedDateTime=timestamp(now),
    )
    relationship["@odata.etag"] = _etag(ctx)


def _new_relationship(
    ctx: Context,
    name: str,
    duration: str,
    extend: str,
    roles: list[str],
    customer: JSON | None,
    status: str,
) -> JSON:
    now = timestamp(ctx.now())
    relationship: JSON = {
        "id": f"{ctx.world.next_id()}-{ctx.world.next_id()}",
        "displayName": name,
        "duration": duration,
        "status": status,
        "autoExtendDuration": extend,
        "customer": customer,
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": role} for role in roles]},
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "activatedDateTime": None,
        "endDateTime": None,
        "@odata.etag": _etag(ctx),
    }
    _state(ctx)["relationships"][relationship["id"]] = relationship
    _state(ctx)["assignments"][relationship["id"]] = {}
    return relationship


def default_relationship(ctx: Context, tenant_id: str, domain: str) -> JSON:
    """The Default GDAP relationship of a customer created with ``enableGDAPByDefault`` (or,
    since 1 Nov 2023, without the field): active at once, with :data:`DEFAULT_GDAP_ROLES`.
    Its name, duration and roles are not documented; these are the sandbox's."""
    name = f"Default_{domain.split('.')[0]}"[:MAX_DISPLAY_NAME]
    roles = [ROLES[role] for role in DEFAULT_GDAP_ROLES]
    customer = {"tenantId": tenant_id, "displayName": domain}
    relationship = _new_relationship(ctx, name, "P730D", "PT0S", roles, customer, "created")
    _activate(ctx, relationship)
    return relationship


def add_reseller_relationship(ctx: Context, req: Request) -> Reply:
    """Sandbox admin: an indirect provider made a relationship for this partner as its
    indirect reseller (``resellerDelegatedAdminRelationship``, awaiting the reseller's consent).
    Body: ``indirectProviderTenantId``, ``customerTenantId``, optional ``displayName``,
    ``duration`` and ``roles`` (role ids)."""
    body = req.json_object()
    provider = body.get("indirectProviderTenantId")
    customer_id = body.get("customerTenantId")
    if not isinstance(provider, str) or not isinstance(customer_id, str):
        raise _graph_error(
            400, "BadRequest", "indirectProviderTenantId and customerTenantId are required."
        )
    name = str(body.get("displayName") or f"Provider {provider[:8]} for {customer_id[:8]}")
    _check_name_free(ctx, name)
    roles = body.get("roles") or [ROLES["Global Reader"]]
    unknown = [role for role in roles if not isinstance(role, str) or role not in ROLE_IDS]
    if unknown:
        raise _graph_error(400, "BadRequest", f"Unknown roleDefinitionId: {unknown}.")
    customer = {"tenantId": customer_id, "displayName": None}
    relationship = _new_relationship(
        ctx,
        name[:MAX_DISPLAY_NAME],
        str(body.get("duration") or "P730D"),
        "PT0S",
        roles,
        customer,
        "approvalPending",
    )
    relationship.update(
        {
            "@odata.type": RESELLER_TYPE,
            "indirectProviderTenantId": provider,
            "isPartnerConsentPending": True,
        }
    )
    return Reply(201, relationship)


# -- access assignments -------------------------------------------------------------------------


def _assignment(ctx: Context, relationship: JSON, assignment_id: str) -> JSON:
    found: JSON | None = _state(ctx)["assignments"][relationship["id"]].get(assignment_id)
    if found is None:
        raise _graph_error(404, "NotFound", f"Access assignment {assignment_id} was not found.")
    if found["status"] == "pending":
        created = parse_timestamp(found["createdDateTime"])
        if ctx.now() >= created + timedelta(seconds=ACTIVATION_SECONDS):
            found["status"] = "active"
            _emit(
                ctx,
                "granular-admin-access-assignment-activated",
                relationship["id"],
                f"/accessAssignments/{assignment_id}",
            )
    return found


def _check_etag(req: Request, assignment: JSON) -> None:
    if req.headers.get("if-match") != assignment["@odata.etag"]:
        raise _graph_error(412, "PreconditionFailed", "If-Match does not match the current etag.")


def _assignment_roles(relationship: JSON, body: JSON) -> list[str]:
    roles = _roles(body)
    granted = {role["roleDefinitionId"] for role in relationship["accessDetails"]["unifiedRoles"]}
    outside = [role for role in roles if role not in granted]
    if outside:
        raise _graph_error(
            400, "BadRequest", f"Roles not in the relationship: {', '.join(outside)}."
        )
    return roles


def create_assignment(ctx: Context, req: Request) -> Reply:
    """POST .../accessAssignments: ``pending`` on an active relationship."""
    relationship = _relationship(ctx, req.params[0])
    if relationship["status"] != "active":
        raise _graph_error(400, "BadRequest", "The relationship is not active.")
    body = req.json_object()
    container = body.get("accessContainer")
    group = container.get("accessContainerId") if isinstance(container, dict) else None
    if not isinstance(group, str) or not group:
        raise _graph_error(400, "BadRequest", "accessContainer.accessContainerId is required.")
    roles = _assignment_roles(relationship, body)
    assignments = _state(ctx)["assignments"][relationship["id"]]
    if any(a["accessContainer"]["accessContainerId"] == group for a in assignments.values()):
        raise _graph_error(409, "Conflict", f"Group {group} already has an access assignment.")
    now = timestamp(ctx.now())
    assignment: JSON = {
        "id": ctx.world.next_id(),
        "status": "pending",
        "accessContainer": {"accessContainerId": group, "accessContainerType": "securityGroup"},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": role} for role in roles]},
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "@odata.etag": _etag(ctx),
    }
    assignments[assignment["id"]] = assignment
    suffix = f"/accessAssignments/{assignment['id']}"
    _emit(ctx, "granular-admin-access-assignment-created", relationship["id"], suffix)
    return Reply(201, assignment)


def get_assignment(ctx: Context, req: Request) -> Reply:
    """GET: one access assignment."""
    relationship = _relationship(ctx, req.params[0])
    return Reply(200, _assignment(ctx, relationship, req.params[1]))


def list_assignments(ctx: Context, req: Request) -> Reply:
    """GET: every access assignment of the relationship (one page)."""
    relationship = _relationship(ctx, req.params[0])
    ids = list(_state(ctx)["assignments"][relationship["id"]])
    return Reply(200, {"value": [_assignment(ctx, relationship, aid) for aid in ids]})


def update_assignment(ctx: Context, req: Request) -> Reply:
    """PATCH: new roles (``If-Match``)."""
    relationship = _relationship(ctx, req.params[0])
    assignment = _assignment(ctx, relationship, req.params[1])
    _check_etag(req, assignment)
    roles = _assignment_roles(relationship, req.json_object())
    assignment["accessDetails"] = {"unifiedRoles": [{"roleDefinitionId": r} for r in roles]}
    assignment["lastModifiedDateTime"] = timestamp(ctx.now())
    assignment["@odata.etag"] = _etag(ctx)
    suffix = f"/accessAssignments/{assignment['id']}"
    _emit(ctx, "granular-admin-access-assignment-updated", relationship["id"], suffix)
    return Reply(200, assignment)


def delete_assignment(ctx: Context, req: Request) -> Reply:
    """DELETE (``If-Match``)."""
    relationship = _relationship(ctx, req.params[0])
    assignment = _assignment(ctx, relationship, req.params[1])
    _check_etag(req, assignment)
    del _state(ctx)["assignments"][relationship["id"]][assignment["id"]]
    suffix = f"/accessAssignments/{assignment['id']}"
    _emit(ctx, "granular-admin-access-assignment-deleted", relationship["id"], suffix)
    return Reply(204)
