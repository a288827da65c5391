"""GDAP changes on Microsoft Graph, each as one step of the engine, written as programs.

A relationship created, locked for approval, terminated, approved or rejected (by an indirect
reseller), and an access assignment created, updated or deleted: each step is recorded with its
intent and ``MS-RequestId`` before the first request, and resent with the same id while its
outcome is unknown. Graph does not document replaying a repeated request id, so a resend may
meet the first attempt's effect instead: a display name already used, an assignment the group
already has, a relationship already locked, an etag that moved, an assignment already gone.
Those refusals are then resolved by reading Graph back and comparing with the recorded intent,
never guessed; a refusal of a first attempt is a failure.

:func:`request_gdap` (create and lock from the partner's :class:`GdapTemplate`) and
:func:`apply_template_assignments` (the template's groups on an active relationship) are what
the library runs for every new customer; both are idempotent on their operation ids.

Every step here is a program (:mod:`~csp_commerce.fulfilment.program`): it yields the client's
answers, so the same step runs with the sync client (``engine.run``) or the async twin
(``await engine.arun``), as the order saga does for both provisioners. :func:`request_gdap`
and :func:`apply_template_assignments` are their sync forms (:func:`requesting_gdap` and
:func:`applying_template_assignments` the programs).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from csp_commerce.errors import (
    BadRequestError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
    StepFailed,
)
from csp_commerce.fulfilment.engine import ClientT, StepEngine, failure
from csp_commerce.models.gdap import GdapRequested, role_id
from csp_commerce.provisioning.wire.gdap import (
    DelegatedAdminAccessAssignment,
    DelegatedAdminRelationship,
    ResellerDelegatedAdminRelationship,
    approval_link,
)
from csp_commerce.validation.gdap_rules import check_gdap_assignment, check_gdap_relationship

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from csp_commerce.fulfilment.program import Program
    from csp_commerce.models.gdap import GdapTemplate
    from csp_commerce.models.problem import Problem
    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.store.ledger import Ledger, Step

logger = logging.getLogger(__name__)

#: Statuses a relationship has once locked for approval (and may reach after).
LOCKED = frozenset({"approvalPending", "approved", "activating", "active", "expired"})
#: Statuses of a relationship whose termination was asked for.
TERMINATED = frozenset({"terminationRequested", "terminating", "terminated"})
#: Statuses of an access assignment on its way out.
REMOVED = frozenset({"deleting", "deleted"})


def _dump(model: Any) -> dict[str, Any]:
    return dict(model.model_dump(mode="json", by_alias=True))


def _role_ids(roles: Sequence[str]) -> list[str]:
    """Role ids for names or ids (the rules have already refused unknown ones)."""
    return sorted({role_id(role) or role for role in roles})


def _roles_of(item: DelegatedAdminRelationship | DelegatedAdminAccessAssignment) -> list[str]:
    return sorted({role.role_definition_id.lower() for role in item.access_details.unified_roles})


def _refused_again(what: str, step: Step) -> StepFailed:
    return StepFailed(
        failure(
            f"Graph refused {what} again, and reading it back shows it was not done",
            request_id=step.request_id,
            error_type="BadRequestError",
        )
    )


def _refusal(error: Exception) -> bool:
    """A refusal an earlier attempt of the same request may explain (then read back)."""
    return isinstance(error, (BadRequestError, ConflictError, PreconditionFailedError))


# -- relationships ------------------------------------------------------------------------------


def create_relationship(
    engine: StepEngine[ClientT],
    operation_id: str,
    key: str,
    display_name: str,
    duration: str,
    roles: Sequence[str],
    *,
    customer_tenant_id: str | None = None,
    auto_extend: str = "P180D",
    owner: str | None = None,
) -> Program[DelegatedAdminRelationship]:
    """Create a relationship (``created``) as one step. A resend refused because the display
    name is used (by the lost first attempt?) reads the relationship of that name back: it is
    the step's when its customer, duration and roles are the recorded ones."""
    client = engine.client
    intent = {
        "display_name": display_name,
        "duration": duration,
        "roles": _role_ids(roles),
        "customer_tenant_id": customer_tenant_id,
        "auto_extend": auto_extend,
    }

    def send(step: Step) -> Program[dict[str, Any]]:
        made: DelegatedAdminRelationship = yield client.gdap.create_relationship(
            step.intent["display_name"],
            step.intent["duration"],
            list(step.intent["roles"]),
            customer_tenant_id=step.intent["customer_tenant_id"],
            auto_extend=step.intent["auto_extend"],
            request_id=step.request_id,
        )
        return {"relationship": _dump(made)}

    def read_back(step: Step) -> Program[dict[str, Any] | None]:
        wanted = step.intent
        listed: list[DelegatedAdminRelationship] = yield client.gdap.list_relationships()
        for found in listed:
            if found.display_name.strip().lower() != wanted["display_name"].strip().lower():
                continue
            tenant = found.customer.tenant_id if found.customer else None
            if (
                tenant == wanted["customer_tenant_id"]
                and found.duration == wanted["duration"]
                and _roles_of(found) == wanted["roles"]
            ):
                return {"relationship": _dump(found)}
        raise _refused_again(f"relationship {wanted['display_name']!r}", step)

    result = yield from engine.step_program(
        operation_id,
        key,
        "gdap_create_relationship",
        intent=intent,
        send=send,
        read_back=read_back,
        explained=_refusal,
        owner=owner,
        context={"customer_id": customer_tenant_id},
    )
    return DelegatedAdminRelationship.model_validate(result["relationship"])


def _relationship_request(
    engine: StepEngine[ClientT],
    operation_id: str,
    key: str,
    relationship_id: str,
    action: str,
    done: Callable[[DelegatedAdminRelationship], bool],
    on_done: Callable[[DelegatedAdminRelationship], None] | None = None,
    owner: str | None = None,
) -> Program[DelegatedAdminRelationship]:
    """POST one ``requests`` action as a step; a refused resend is judged by ``done`` on the
    relationship read back. ``on_done`` hears of it before the step is recorded done (so a
    crash in between tells it again)."""
    client = engine.client
    send_action = getattr(client.gdap, _ACTIONS[action])

    def finish(relationship: DelegatedAdminRelationship) -> dict[str, Any]:
        if on_done is not None:
            on_done(relationship)
        return {"relationship": _dump(relationship)}

    def send(step: Step) -> Program[dict[str, Any]]:
        yield send_action(relationship_id, request_id=step.request_id)
        found: DelegatedAdminRelationship = yield client.gdap.get_relationship(relationship_id)
        return finish(found)

    def read_back(step: Step) -> Program[dict[str, Any] | None]:
        found: DelegatedAdminRelationship = yield client.gdap.get_relationship(relationship_id)
        if done(found):
            return finish(found)
        raise _refused_again(f"{action} of relationship {relationship_id}", step)

    result = yield from engine.step_program(
        operation_id,
        key,
        f"gdap_{_ACTIONS[action]}",
        intent={"relationship_id": relationship_id, "action": action},
        send=send,
        read_back=read_back,
        explained=_refusal,
        owner=owner,
    )
    return DelegatedAdminRelationship.model_validate(result["relationship"])


_ACTIONS = {
    "lockForApproval": "lock_for_approval",
    "terminate": "terminate",
    "approve": "approve",
    "reject": "reject",
}


def lock_for_approval(
    engine: StepEngine[ClientT],
    operation_id: str,
    key: str,
    relationship_id: str,
    *,
    on_locked: Callable[[DelegatedAdminRelationship], None] | None = None,
    owner: str | None = None,
) -> Program[DelegatedAdminRelationship]:
    """Lock a relationship for the customer's approval as one step; then send the customer
    :func:`~csp_commerce.provisioning.wire.gdap.approval_link`. A refused resend is done when
    the relationship reads ``approvalPending`` (or later)."""
    return (
        yield from _relationship_request(
            engine,
            operation_id,
            key,
            relationship_id,
            "lockForApproval",
            lambda found: found.status in LOCKED,
            on_locked,
            owner,
        )
    )


def terminate(
    engine: StepEngine[ClientT], operation_id: str, key: str, relationship_id: str
) -> Program[DelegatedAdminRelationship]:
    """End an active relationship as one step (done once it reads ``terminationRequested``,
    ``terminating`` or ``terminated``)."""
    return (
        yield from _relationship_request(
            engine,
            operation_id,
            key,
            relationship_id,
            "terminate",
            lambda found: found.status in TERMINATED,
        )
    )


def consent(
    engine: StepEngine[ClientT],
    operation_id: str,
    key: str,
    relationship_id: str,
    *,
    approve: bool,
) -> Program[DelegatedAdminRelationship]:
    """As an indirect reseller, approve (or reject) the relationship an indirect provider made
    for it, as one step: done once ``isPartnerConsentPending`` reads false with the status the
    answer implies (rejected: ended; approved: not ended)."""

    def done(found: DelegatedAdminRelationship) -> bool:
        ended = found.status in TERMINATED or found.status == "expired"
        pending = ResellerDelegatedAdminRelationship.of(found).is_partner_consent_pending
        return pending is False and ended is not approve

    return (
        yield from _relationship_request(
            engine,
            operation_id,
            key,
            relationship_id,
            "approve" if approve else "reject",
            done,
        )
    )


# -- access assignments -------------------------------------------------------------------------


def create_assignment(
    engine: StepEngine[ClientT],
    operation_id: str,
    key: str,
    relationship_id: str,
    group_id: str,
    roles: Sequence[str],
) -> Program[DelegatedAdminAccessAssignment]:
    """Give a partner security group roles of an active relationship, as one step. A resend
    refused because the group has an assignment reads it back: the step's when its roles are
    the recorded ones."""
    client = engine.client

    def send(step: Step) -> Program[dict[str, Any]]:
        made: DelegatedAdminAccessAssignment = yield client.gdap.create_access_assignment(
            relationship_id, group_id, list(step.intent["roles"]), request_id=step.request_id
        )
        return {"assignment": _dump(made)}

    def read_back(step: Step) -> Program[dict[str, Any] | None]:
        found = yield from _assignment_of(engine, relationship_id, group_id)
        if found is not None and _roles_of(found) == step.intent["roles"]:
            return {"assignment": _dump(found)}
        raise _refused_again(f"the access assignment of group {group_id}", step)

    result = yield from engine.step_program(
        operation_id,
        key,
        "gdap_create_assignment",
        intent={
            "relationship_id": relationship_id,
            "group_id": group_id,
            "roles": _role_ids(roles),
        },
        send=send,
        read_back=read_back,
        explained=_refusal,
    )
    return DelegatedAdminAccessAssignment.model_validate(result["assignment"])


def _assignment_of(
    engine: StepEngine[ClientT], relationship_id: str, group_id: str
) -> Program[DelegatedAdminAccessAssignment | None]:
    listed: list[DelegatedAdminAccessAssignment] = yield engine.client.gdap.list_access_assignments(
        relationship_id
    )
    for found in listed:
        if found.access_container.access_container_id == group_id and found.status not in REMOVED:
            return found
    return None


def update_assignment(
    engine: StepEngine[ClientT],
    operation_id: str,
    key: str,
    relationship_id: str,
    assignment_id: str,
    roles: Sequence[str],
    *,
    current: DelegatedAdminAccessAssignment | None = None,
) -> Program[DelegatedAdminAccessAssignment]:
    """Replace an assignment's roles as one step. Its etag (from ``current`` or one read) is
    recorded with the roles, so a resend sends the same ``If-Match``; refused because the etag
    moved (the lost first attempt?), it reads the assignment back: done when its roles are the
    recorded ones."""
    client = engine.client

    def plan() -> Program[dict[str, Any]]:
        read: DelegatedAdminAccessAssignment = (
            current
            if current is not None
            else (yield client.gdap.get_access_assignment(relationship_id, assignment_id))
        )
        return {
            "relationship_id": relationship_id,
            "assignment_id": assignment_id,
            "roles": _role_ids(roles),
            "etag": read.etag or "*",
        }

    def send(step: Step) -> Program[dict[str, Any]]:
        made: DelegatedAdminAccessAssignment = yield client.gdap.update_access_assignment(
            relationship_id,
            assignment_id,
            list(step.intent["roles"]),
            step.intent["etag"],
            request_id=step.request_id,
        )
        return {"assignment": _dump(made)}

    def read_back(step: Step) -> Program[dict[str, Any] | None]:
        found: DelegatedAdminAccessAssignment = yield client.gdap.get_access_assignment(
            relationship_id, assignment_id
        )
        if _roles_of(found) == step.intent["roles"]:
            return {"assignment": _dump(found)}
        raise _refused_again(f"the update of access assignment {assignment_id}", step)

    result = yield from engine.step_program(
        operation_id,
        key,
        "gdap_update_assignment",
        intent=plan,
        send=send,
        read_back=read_back,
        explained=(PreconditionFailedError,),
    )
    return DelegatedAdminAccessAssignment.model_validate(result["assignment"])


def delete_assignment(
    engine: StepEngine[ClientT],
    operation_id: str,
    key: str,
    relationship_id: str,
    assignment_id: str,
) -> Program[None]:
    """Remove an access assignment as one step (its etag recorded, as for an update); a resend
    refused because it is gone (404) or changed (412) is done when it reads as gone."""
    client = engine.client

    def plan() -> Program[dict[str, Any]]:
        read: DelegatedAdminAccessAssignment = yield client.gdap.get_access_assignment(
            relationship_id, assignment_id
        )
        return {
            "relationship_id": relationship_id,
            "assignment_id": assignment_id,
            "etag": read.etag or "*",
        }

    def send(step: Step) -> Program[dict[str, Any]]:
        yield client.gdap.delete_access_assignment(
            relationship_id, assignment_id, step.intent["etag"], request_id=step.request_id
        )
        return {"deleted": assignment_id}

    def read_back(step: Step) -> Program[dict[str, Any] | None]:
        try:
            found: DelegatedAdminAccessAssignment = yield client.gdap.get_access_assignment(
                relationship_id, assignment_id
            )
        except NotFoundError:
            return {"deleted": assignment_id}
        if found.status in REMOVED:
            return {"deleted": assignment_id}
        raise _refused_again(f"the deletion of access assignment {assignment_id}", step)

    yield from engine.step_program(
        operation_id,
        key,
        "gdap_delete_assignment",
        intent=plan,
        send=send,
        read_back=read_back,
        explained=(NotFoundError, PreconditionFailedError),
    )


# -- the partner's template ---------------------------------------------------------------------


def _check_template(template: GdapTemplate, customer_name: str) -> None:
    problems = check_gdap_relationship(
        template.name_for(customer_name), template.duration, template.roles, template.auto_extend
    )
    if problems:
        raise ConfigurationError(
            "the GDAP template breaks the rules: " + "; ".join(p.message for p in problems)
        )


def requesting_gdap(
    engine: StepEngine[ClientT],
    template: GdapTemplate,
    customer_tenant_id: str,
    customer_name: str,
    *,
    operation_id: str | None = None,
    on_requested: Callable[[GdapRequested], None] | None = None,
    order_id: str | None = None,
    owner: str | None = None,
) -> Program[GdapRequested]:
    """:func:`request_gdap` as a program of ``engine``'s steps (either client)."""
    _check_template(template, customer_name)
    operation_id = operation_id or f"gdap-request:{customer_tenant_id}"
    recorded = engine.ledger.get_step(operation_id, "gdap:create")
    if recorded is not None:
        name = str(recorded.intent["display_name"])
    else:
        name = template.name_for(customer_name)
        listed: list[DelegatedAdminRelationship] = yield engine.client.gdap.list_relationships()
        taken = {found.display_name.lower() for found in listed}
        if name.lower() in taken:
            name = f"{name[:41]} {customer_tenant_id[:8]}"
    relationship = yield from create_relationship(
        engine,
        operation_id,
        "gdap:create",
        name,
        template.duration,
        template.roles,
        customer_tenant_id=customer_tenant_id,
        auto_extend=template.auto_extend,
        owner=owner,
    )

    def requested(locked: DelegatedAdminRelationship) -> GdapRequested:
        return GdapRequested(
            customer_tenant_id=customer_tenant_id,
            relationship_id=locked.id,
            display_name=locked.display_name,
            status=locked.status,
            approval_link=approval_link(locked.id),
            order_id=order_id,
        )

    def tell(locked: DelegatedAdminRelationship) -> None:
        if on_requested is not None:
            on_requested(requested(locked))

    locked = yield from lock_for_approval(
        engine, operation_id, "gdap:lock", relationship.id, on_locked=tell, owner=owner
    )
    return requested(locked)


def request_gdap(
    client: PartnerCenterClient,
    ledger: Ledger,
    template: GdapTemplate,
    customer_tenant_id: str,
    customer_name: str,
    *,
    operation_id: str | None = None,
    engine: StepEngine | None = None,
    on_requested: Callable[[GdapRequested], None] | None = None,
    order_id: str | None = None,
    owner: str | None = None,
) -> GdapRequested:
    """Create the template's relationship for a customer and lock it for approval: two steps
    of ``operation_id`` (default one per customer tenant, so asking twice asks once).

    ``on_requested`` hears of the approval link before the lock is recorded done (at least once:
    a crash in between tells it again). ``owner``: the order's lease holder, when the steps
    belong to an order. The display name is the template's for
    ``customer_name``; should another relationship already have it, the tenant id's first
    characters are added, once, when the step is recorded. A template that breaks the GDAP
    rules (an unknown role, a duration over two years) is a :class:`ConfigurationError`,
    raised before any request. :func:`requesting_gdap` is the program (for an async client).
    """
    engine = engine or StepEngine(client, ledger)
    return engine.run(
        requesting_gdap(
            engine,
            template,
            customer_tenant_id,
            customer_name,
            operation_id=operation_id,
            on_requested=on_requested,
            order_id=order_id,
            owner=owner,
        )
    )


def request_gdap_for_order(
    engine: StepEngine[ClientT],
    order_id: str,
    template: GdapTemplate,
    customer_tenant_id: str,
    customer_name: str,
    on_requested: Callable[[GdapRequested], None],
) -> Program[GdapRequested | None]:
    """The template's relationship for an order's new tenant, as steps of the order (a
    program: the order saga runs it with either client).

    GDAP is not needed for a purchase, so a refusal (or a template that breaks the rules) is
    logged and the order stands: None. An unknown outcome is raised like any step's (the order
    is resumed later and finishes it)."""
    try:
        return (
            yield from requesting_gdap(
                engine,
                template,
                customer_tenant_id,
                customer_name,
                operation_id=order_id,
                on_requested=on_requested,
                order_id=order_id,
                owner=engine.owner,  # the order's lease, extended with each step's first write
            )
        )
    except (StepFailed, ConfigurationError) as refused:
        logger.warning("no GDAP relationship asked for order %s: %s", order_id, refused)
        return None


@dataclass(frozen=True)
class TemplateAssignments:
    """What :func:`apply_template_assignments` did: the assignment of each template group (by
    group id), the groups refused before any request (their Problems), and whether the
    relationship was not active yet (then nothing was sent: call again once it is)."""

    relationship_id: str
    status: str
    assignments: dict[str, DelegatedAdminAccessAssignment] = field(default_factory=dict)
    problems: dict[str, tuple[Problem, ...]] = field(default_factory=dict)

    @property
    def waiting(self) -> bool:
        """The relationship is not active (yet): nothing was assigned."""
        return self.status != "active"


def applying_template_assignments(
    engine: StepEngine[ClientT],
    relationship_id: str,
    template: GdapTemplate,
    *,
    operation_id: str | None = None,
) -> Program[TemplateAssignments]:
    """:func:`apply_template_assignments` as a program of ``engine``'s steps (either client)."""
    operation_id = operation_id or f"gdap-assignments:{relationship_id}"
    relationship: DelegatedAdminRelationship = yield engine.client.gdap.get_relationship(
        relationship_id
    )
    outcome = TemplateAssignments(relationship_id, relationship.status)
    if outcome.waiting:
        return outcome
    granted = _roles_of(relationship)
    for group in template.groups:
        problems = check_gdap_assignment(group.roles, granted)
        if problems:
            outcome.problems[group.group_id] = tuple(problems)
            continue
        outcome.assignments[group.group_id] = yield from _assign_group(
            engine, operation_id, relationship_id, group.group_id, group.roles
        )
    return outcome


def apply_template_assignments(
    client: PartnerCenterClient,
    ledger: Ledger,
    relationship_id: str,
    template: GdapTemplate,
    *,
    operation_id: str | None = None,
) -> TemplateAssignments:
    """Give each of the template's security groups its roles on an active relationship.

    Idempotent: call it on every ``granular-admin-relationship-approved`` (or ``-activated``)
    event, or after reading the relationship active. Each group is one step of
    ``operation_id`` (default one per relationship): a group that already has an assignment
    with the template's roles needs no request, one with other roles is updated, and a group
    whose roles are not the relationship's is a Problem, sent nothing. A relationship not
    active yet sends nothing (``waiting``). :func:`applying_template_assignments` is the
    program (for an async client).
    """
    engine = StepEngine(client, ledger)
    return engine.run(
        applying_template_assignments(engine, relationship_id, template, operation_id=operation_id)
    )


def _assign_group(
    engine: StepEngine[ClientT],
    operation_id: str,
    relationship_id: str,
    group_id: str,
    roles: tuple[str, ...],
) -> Program[DelegatedAdminAccessAssignment]:
    """One template group: created, updated to the template's roles, or already as wanted."""
    key = f"assign:{group_id}"
    recorded = engine.ledger.get_step(operation_id, key)
    wanted = _role_ids(roles)
    if recorded is None:
        existing = yield from _assignment_of(engine, relationship_id, group_id)
        if existing is not None and _roles_of(existing) == wanted:
            return existing  # nothing to change, nothing to record
        if existing is not None:
            return (
                yield from update_assignment(
                    engine, operation_id, key, relationship_id, existing.id, roles, current=existing
                )
            )
    elif recorded.kind == "gdap_update_assignment":
        assignment_id = str(recorded.intent["assignment_id"])
        return (
            yield from update_assignment(
                engine, operation_id, key, relationship_id, assignment_id, roles
            )
        )
    return (
        yield from create_assignment(engine, operation_id, key, relationship_id, group_id, roles)
    )
