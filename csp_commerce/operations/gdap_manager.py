"""GDAP relationships and access assignments changed on Microsoft Graph, exactly once.

:class:`GdapManager` checks each change against the GDAP rules before any request (an unknown
role, a duration over two years, a display name already used are Problems, nothing is sent)
and sends it as one step of the :class:`~csp_commerce.fulfilment.StepEngine`
(``csp_commerce.fulfilment.gdap_actions``): recorded with its ``MS-RequestId`` before the
first request, resent after a lost answer, read back when Graph refuses the repeat. Run again
with the same ``operation_id``, a change returns its recorded outcome without a request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from csp_commerce.fulfilment import gdap_actions
from csp_commerce.fulfilment.engine import StepEngine
from csp_commerce.fulfilment.gdap_actions import (
    TemplateAssignments,
    apply_template_assignments,
    request_gdap,
)
from csp_commerce.models.gdap import GdapRequested
from csp_commerce.provisioning.wire.gdap import approval_link
from csp_commerce.validation.gdap_rules import check_gdap_assignment, check_gdap_relationship

if TYPE_CHECKING:
    import builtins
    from collections.abc import Sequence

    from csp_commerce.models.gdap import GdapTemplate
    from csp_commerce.models.problem import Problem
    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.provisioning.wire.gdap import (
        DelegatedAdminAccessAssignment,
        DelegatedAdminRelationship,
    )
    from csp_commerce.store.ledger import Ledger

__all__ = [
    "AssignmentChange",
    "GdapManager",
    "GdapRequested",
    "RelationshipChange",
    "TemplateAssignments",
    "apply_template_assignments",
    "request_gdap",
]

_CHANGE = "change"


@dataclass(frozen=True)
class RelationshipChange:
    """A relationship as a change left it, or the Problems that kept it from being sent."""

    relationship: DelegatedAdminRelationship | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """Sent and done."""
        return self.relationship is not None and not self.problems

    @property
    def approval_link(self) -> str | None:
        """The customer's approval link, once the relationship is locked for approval."""
        if self.relationship is None or self.relationship.status != "approvalPending":
            return None
        return approval_link(self.relationship.id)


@dataclass(frozen=True)
class AssignmentChange:
    """An access assignment as a change left it (None once deleted), or its Problems."""

    assignment: DelegatedAdminAccessAssignment | None = None
    problems: tuple[Problem, ...] = ()
    deleted: bool = False

    @property
    def ok(self) -> bool:
        """Sent and done."""
        return not self.problems and (self.assignment is not None or self.deleted)


class GdapManager:
    """GDAP changes of the partner on Graph (``client.gdap``), each one engine step.

    :param client: the Partner Center client (its Graph twin is used; access assignments need
        an app+user token).
    :param ledger: where each change's step and request id are recorded.
    """

    def __init__(self, client: PartnerCenterClient, ledger: Ledger) -> None:
        self.client = client
        self.ledger = ledger
        self.engine = StepEngine(client, ledger)

    def _recorded(self, operation_id: str | None) -> bool:
        return operation_id is not None and self.ledger.get_step(operation_id, _CHANGE) is not None

    # -- relationships ----------------------------------------------------------------------

    def create_relationship(
        self,
        display_name: str,
        duration: str,
        roles: Sequence[str],
        *,
        customer_tenant_id: str | None = None,
        auto_extend: str = "P180D",
        operation_id: str | None = None,
    ) -> RelationshipChange:
        """Create a relationship (``created``; lock it to send it to the customer). Roles are
        names from :data:`~csp_commerce.models.gdap.ROLES` or role ids. The rules run first,
        against the partner's existing display names (one read), unless ``operation_id`` was
        recorded already (then its outcome is finished or returned)."""
        if not self._recorded(operation_id):
            taken = [found.display_name for found in self.client.gdap.list_relationships()]
            problems = check_gdap_relationship(
                display_name, duration, roles, auto_extend, taken_names=taken
            )
            if problems:
                return RelationshipChange(problems=tuple(problems))
        made = self.engine.run(
            gdap_actions.create_relationship(
                self.engine,
                operation_id or str(uuid.uuid4()),
                _CHANGE,
                display_name.strip(),
                duration,
                roles,
                customer_tenant_id=customer_tenant_id,
                auto_extend=auto_extend.upper(),
            )
        )
        return RelationshipChange(made)

    def lock_for_approval(
        self, relationship_id: str, *, operation_id: str | None = None
    ) -> RelationshipChange:
        """Lock a ``created`` relationship for approval; ``.approval_link`` is for the customer's
        Global Administrator (valid 90 days)."""
        locked = self.engine.run(
            gdap_actions.lock_for_approval(
                self.engine, operation_id or str(uuid.uuid4()), _CHANGE, relationship_id
            )
        )
        return RelationshipChange(locked)

    def terminate(
        self, relationship_id: str, *, operation_id: str | None = None
    ) -> RelationshipChange:
        """End an active relationship (``terminationRequested``, then ``terminated``)."""
        ended = self.engine.run(
            gdap_actions.terminate(
                self.engine, operation_id or str(uuid.uuid4()), _CHANGE, relationship_id
            )
        )
        return RelationshipChange(ended)

    def approve_as_reseller(
        self, relationship_id: str, *, operation_id: str | None = None
    ) -> RelationshipChange:
        """As an indirect reseller, approve a relationship an indirect provider made for it."""
        return self._consent(relationship_id, operation_id, approve=True)

    def reject_as_reseller(
        self, relationship_id: str, *, operation_id: str | None = None
    ) -> RelationshipChange:
        """As an indirect reseller, reject a relationship an indirect provider made for it."""
        return self._consent(relationship_id, operation_id, approve=False)

    def _consent(
        self, relationship_id: str, operation_id: str | None, *, approve: bool
    ) -> RelationshipChange:
        operation_id = operation_id or str(uuid.uuid4())
        answered = gdap_actions.consent(
            self.engine, operation_id, _CHANGE, relationship_id, approve=approve
        )
        return RelationshipChange(self.engine.run(answered))

    # -- access assignments -----------------------------------------------------------------

    def _role_problems(
        self, relationship_id: str, roles: Sequence[str], operation_id: str | None
    ) -> builtins.list[Problem]:
        if self._recorded(operation_id):
            return []
        relationship = self.client.gdap.get_relationship(relationship_id)
        granted = [role.role_definition_id for role in relationship.access_details.unified_roles]
        return check_gdap_assignment(roles, granted)

    def create_assignment(
        self,
        relationship_id: str,
        group_id: str,
        roles: Sequence[str],
        *,
        operation_id: str | None = None,
    ) -> AssignmentChange:
        """Give a partner security group roles of an active relationship (``pending``, then
        ``active``); roles outside the relationship's are Problems, sent nothing."""
        problems = self._role_problems(relationship_id, roles, operation_id)
        if problems:
            return AssignmentChange(problems=tuple(problems))
        made = self.engine.run(
            gdap_actions.create_assignment(
                self.engine,
                operation_id or str(uuid.uuid4()),
                _CHANGE,
                relationship_id,
                group_id,
                roles,
            )
        )
        return AssignmentChange(made)

    def update_assignment(
        self,
        relationship_id: str,
        assignment_id: str,
        roles: Sequence[str],
        *,
        operation_id: str | None = None,
    ) -> AssignmentChange:
        """Replace an assignment's roles (its etag read and recorded with the change)."""
        problems = self._role_problems(relationship_id, roles, operation_id)
        if problems:
            return AssignmentChange(problems=tuple(problems))
        made = self.engine.run(
            gdap_actions.update_assignment(
                self.engine,
                operation_id or str(uuid.uuid4()),
                _CHANGE,
                relationship_id,
                assignment_id,
                roles,
            )
        )
        return AssignmentChange(made)

    def delete_assignment(
        self, relationship_id: str, assignment_id: str, *, operation_id: str | None = None
    ) -> AssignmentChange:
        """Remove an access assignment."""
        self.engine.run(
            gdap_actions.delete_assignment(
                self.engine,
                operation_id or str(uuid.uuid4()),
                _CHANGE,
                relationship_id,
                assignment_id,
            )
        )
        return AssignmentChange(deleted=True)

    # -- the template -----------------------------------------------------------------------

    def request_for_customer(
        self, template: GdapTemplate, customer_tenant_id: str, customer_name: str
    ) -> GdapRequested:
        """The template's relationship asked of a customer (see :func:`request_gdap`)."""
        return request_gdap(
            self.client,
            self.ledger,
            template,
            customer_tenant_id,
            customer_name,
            engine=self.engine,
        )

    def apply_template(self, relationship_id: str, template: GdapTemplate) -> TemplateAssignments:
        """The template's access assignments on an active relationship (see
        :func:`apply_template_assignments`)."""
        return apply_template_assignments(self.client, self.ledger, relationship_id, template)
