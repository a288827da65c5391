"""``csp-commerce gdap ...``: the partner's GDAP relationships on Graph.

Reading: ``list`` shows every relationship with its status and end date; ``show ID`` one, with
its access assignments; ``link ID`` prints the approval link to send the customer's Global
Administrator; ``approve ID`` approves it in the sandbox (only the customer can, against
Microsoft).

Changing (each one step of the step engine, asked first: ``--yes`` or ``--dry-run``; an
``--operation-id`` run again never acts twice): ``create NAME --role ROLE...`` (``--lock`` locks
it at once and prints the approval link), ``lock ID``, ``terminate ID``, ``assign ID --group G
--role ROLE...`` (creates the group's access assignment, or updates its roles), ``unassign ID
--group G``; ``request --customer TENANT --name COMPANY`` and ``apply-template ID`` use the GDAP
template (``--template FILE``, or ``gdap_template`` in the settings); ``reseller-approve ID`` and
``reseller-reject ID`` answer, as an indirect reseller, a relationship its provider made.
Bad input (an unknown role, a duration over two years, a display name already used) is a
Problem, exit 1, before any request.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_OK, EXIT_USAGE, _env
from csp_commerce.cli._globals import add_confirmation, confirmed
from csp_commerce.cli.prices import print_problems
from csp_commerce.errors import ConfigurationError, InputError

if TYPE_CHECKING:
    import argparse

    from csp_commerce.models.gdap import GdapTemplate
    from csp_commerce.operations.gdap_manager import GdapManager, RelationshipChange


def register(subparsers: Any) -> None:
    """Add ``gdap`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "gdap",
        help="GDAP relationships: read, create, lock, terminate, assign, the template",
        description=__doc__,
    )
    actions = parser.add_subparsers(dest="gdap_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every relationship, its status and end date")
    listing.set_defaults(func=run_list)
    show = actions.add_parser("show", help="one relationship and its access assignments")
    show.add_argument("relationship", metavar="ID")
    show.set_defaults(func=run_show)
    link = actions.add_parser("link", help="the link the customer's admin approves with")
    link.add_argument("relationship", metavar="ID")
    link.set_defaults(func=run_link)
    approve = actions.add_parser("approve", help="approve as the customer (sandbox only)")
    approve.add_argument("relationship", metavar="ID")
    approve.add_argument("--tenant", metavar="TENANT_ID", help="the approving customer tenant")
    approve.set_defaults(func=run_approve)
    for action in (listing, show, link, approve):
        _env.add_arguments(action)

    def change(name: str, help_text: str, *, relationship: bool = True) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = actions.add_parser(
            name, help=help_text, description=help_text
        )
        if relationship:
            sub.add_argument("relationship", metavar="ID")
        sub.add_argument(
            "--operation-id", default=None, help="idempotency key: the same id never acts twice"
        )
        _env.add_arguments(sub)
        add_confirmation(sub)
        return sub

    def roles(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--role",
            dest="roles",
            action="append",
            required=True,
            metavar="ROLE",
            help="an Entra built-in role name or id (repeat it for more)",
        )

    create = change("create", "create a relationship (created)", relationship=False)
    create.add_argument("name", metavar="NAME", help="display name (1-50, unique)")
    roles(create)
    create.add_argument("--duration", default="P730D", help="P1D..P2Y (default P730D)")
    create.add_argument("--auto-extend", default="P180D", help="P180D (default) or PT0S")
    create.add_argument("--customer", default=None, help="the customer's tenant id (else any)")
    create.add_argument("--lock", action="store_true", help="lock it for approval at once")
    create.set_defaults(func=run_create)
    change("lock", "lock a relationship for the customer's approval").set_defaults(func=run_lock)
    change("terminate", "end an active relationship").set_defaults(func=run_terminate)
    assign = change("assign", "give a security group roles (created, or its roles updated)")
    assign.add_argument("--group", required=True, help="the partner's security group id")
    roles(assign)
    assign.set_defaults(func=run_assign)
    unassign = change("unassign", "remove a security group's access assignment")
    unassign.add_argument("--group", required=True, help="the partner's security group id")
    unassign.set_defaults(func=run_unassign)
    request = change("request", "ask a customer for the GDAP template", relationship=False)
    request.add_argument("--customer", required=True, help="the customer's tenant id")
    request.add_argument("--name", required=True, help="the customer's company name")
    request.add_argument("--template", default=None, help="template file (else the settings')")
    request.set_defaults(func=run_request)
    apply = change("apply-template", "the template's access assignments, once it is active")
    apply.add_argument("--template", default=None, help="template file (else the settings')")
    apply.set_defaults(func=run_apply_template)
    for approve_it in (True, False):
        verb = "approve" if approve_it else "reject"
        answer = change(f"reseller-{verb}", f"as an indirect reseller, {verb} its provider's")
        answer.set_defaults(func=run_reseller, approve=approve_it)


def run_list(args: argparse.Namespace) -> int:
    """One line per relationship."""
    with _env.Environment.from_args(args) as env:
        relationships = env.client.gdap.list_relationships()
    if not relationships:
        print("no GDAP relationships")
    for relationship in relationships:
        end = relationship.end_date_time or "-"
        print(f"{relationship.id}  {relationship.status:<16} {end:<21} {relationship.display_name}")
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    """The relationship's fields and, when active, its access assignments."""
    with _env.Environment.from_args(args) as env:
        relationship = env.client.gdap.get_relationship(args.relationship)
        assignments = (
            env.client.gdap.list_access_assignments(relationship.id)
            if relationship.status == "active"
            else []
        )
    roles = ", ".join(role.role_definition_id for role in relationship.access_details.unified_roles)
    customer = relationship.customer.tenant_id if relationship.customer else None
    print(f"{relationship.display_name} ({relationship.id})")
    print(f"status: {relationship.status}; ends: {relationship.end_date_time or '-'}")
    print(f"customer: {customer or 'any'}; auto-extend: {relationship.auto_extend_duration}")
    print(f"roles: {roles}")
    for assignment in assignments:
        group = assignment.access_container.access_container_id
        print(f"assignment {assignment.id}: group {group}, {assignment.status}")
    return EXIT_OK


def run_link(args: argparse.Namespace) -> int:
    """The approval link (no request is sent)."""
    from csp_commerce.provisioning.wire.gdap import approval_link

    print(approval_link(args.relationship))
    return EXIT_OK


def run_approve(args: argparse.Namespace) -> int:
    """Approve in the sandbox; explain what to do when live."""
    if args.live:
        print(
            "csp-commerce: the customer's Global Administrator approves it at the link "
            "`csp-commerce gdap link ID` prints; a partner cannot approve it for them",
            file=sys.stderr,
        )
        return EXIT_USAGE
    with _env.Environment.from_args(args) as env:
        relationship = env.sandbox.approve_gdap(args.relationship, args.tenant)
    print(f"relationship {args.relationship} is {relationship['status']} (sandbox)")
    return EXIT_OK


# -- changes ------------------------------------------------------------------------------------


def _manager(env: _env.Environment) -> GdapManager:
    from csp_commerce.operations.gdap_manager import GdapManager

    return GdapManager(env.client, env.ledger)


def _template(env: _env.Environment, path: str | None) -> GdapTemplate:
    template = env.gdap_template(path)
    if template is None:
        raise ConfigurationError(
            "no GDAP template: pass --template FILE or set gdap_template in the settings"
        )
    return template


def _print_relationship(change: RelationshipChange) -> int:
    relationship = change.relationship
    if relationship is not None:
        print(f"relationship {relationship.id} is {relationship.status}")
    if change.approval_link:
        print(f"approval link for the customer's Global Administrator: {change.approval_link}")
    return print_problems(change.problems)


def run_create(args: argparse.Namespace) -> int:
    """Rules first (one read of the partner's display names), then ask, then create."""
    from csp_commerce.validation.gdap_rules import check_gdap_relationship

    with _env.Environment.from_args(args) as env:
        if args.operation_id is None or env.ledger.get_step(args.operation_id, "change") is None:
            taken = [found.display_name for found in env.client.gdap.list_relationships()]
            problems = check_gdap_relationship(
                args.name, args.duration, args.roles, args.auto_extend, taken_names=taken
            )
            if problems:
                return print_problems(problems)
        what = f"create GDAP relationship {args.name!r} ({', '.join(args.roles)}; {args.duration})"
        if not confirmed(args, what + (" and lock it for approval" if args.lock else "")):
            return EXIT_OK
        manager = _manager(env)
        made = manager.create_relationship(
            args.name,
            args.duration,
            args.roles,
            customer_tenant_id=args.customer,
            auto_extend=args.auto_extend,
            operation_id=args.operation_id,
        )
        if made.relationship is not None and args.lock:
            lock_id = f"{args.operation_id}:lock" if args.operation_id else None
            made = manager.lock_for_approval(made.relationship.id, operation_id=lock_id)
    return _print_relationship(made)


def run_lock(args: argparse.Namespace) -> int:
    """Lock for approval; prints the approval link."""
    if not confirmed(args, f"lock GDAP relationship {args.relationship} for approval"):
        return EXIT_OK
    with _env.Environment.from_args(args) as env:
        locked = _manager(env).lock_for_approval(args.relationship, operation_id=args.operation_id)
    return _print_relationship(locked)


def run_terminate(args: argparse.Namespace) -> int:
    """End the relationship (its access ends with it)."""
    if not confirmed(args, f"terminate GDAP relationship {args.relationship}"):
        return EXIT_OK
    with _env.Environment.from_args(args) as env:
        ended = _manager(env).terminate(args.relationship, operation_id=args.operation_id)
    return _print_relationship(ended)


def run_assign(args: argparse.Namespace) -> int:
    """Create the group's access assignment, or update its roles."""
    from csp_commerce.validation.gdap_rules import check_gdap_assignment

    with _env.Environment.from_args(args) as env:
        relationship = env.client.gdap.get_relationship(args.relationship)
        granted = [role.role_definition_id for role in relationship.access_details.unified_roles]
        problems = check_gdap_assignment(args.roles, granted)
        if problems:
            return print_problems(problems)
        existing = _group_assignment(env, args.relationship, args.group)
        verb = "update" if existing is not None else "create"
        if not confirmed(args, f"{verb} the access assignment of group {args.group}"):
            return EXIT_OK
        manager = _manager(env)
        if existing is not None:
            change = manager.update_assignment(
                args.relationship, existing, args.roles, operation_id=args.operation_id
            )
        else:
            change = manager.create_assignment(
                args.relationship, args.group, args.roles, operation_id=args.operation_id
            )
    if change.assignment is not None:
        print(f"access assignment {change.assignment.id} is {change.assignment.status}")
    return print_problems(change.problems)


def _group_assignment(env: _env.Environment, relationship_id: str, group_id: str) -> str | None:
    for found in env.client.gdap.list_access_assignments(relationship_id):
        if found.access_container.access_container_id == group_id and found.status not in (
            "deleting",
            "deleted",
        ):
            return found.id
    return None


def run_unassign(args: argparse.Namespace) -> int:
    """Remove the group's access assignment."""
    with _env.Environment.from_args(args) as env:
        assignment = _group_assignment(env, args.relationship, args.group)
        if assignment is None:
            raise InputError(f"group {args.group} has no access assignment in {args.relationship}")
        if not confirmed(args, f"remove the access assignment of group {args.group}"):
            return EXIT_OK
        _manager(env).delete_assignment(
            args.relationship, assignment, operation_id=args.operation_id
        )
    print(f"removed access assignment {assignment}")
    return EXIT_OK


def run_request(args: argparse.Namespace) -> int:
    """Create and lock the template's relationship for a customer; prints the link."""
    from csp_commerce.fulfilment.gdap_actions import request_gdap

    with _env.Environment.from_args(args) as env:
        template = _template(env, args.template)
        if not confirmed(args, f"ask customer {args.customer} for the GDAP template"):
            return EXIT_OK
        asked = request_gdap(
            env.client,
            env.ledger,
            template,
            args.customer,
            args.name,
            operation_id=args.operation_id,
        )
    print(f"relationship {asked.relationship_id} ({asked.display_name}) is {asked.status}")
    print(f"approval link for the customer's Global Administrator: {asked.approval_link}")
    return EXIT_OK


def run_apply_template(args: argparse.Namespace) -> int:
    """The template's access assignments on an active relationship (nothing while pending)."""
    from csp_commerce.fulfilment.gdap_actions import apply_template_assignments

    with _env.Environment.from_args(args) as env:
        template = _template(env, args.template)
        if not confirmed(args, f"apply the GDAP template's assignments to {args.relationship}"):
            return EXIT_OK
        done = apply_template_assignments(
            env.client, env.ledger, args.relationship, template, operation_id=args.operation_id
        )
    if done.waiting:
        print(f"relationship {args.relationship} is {done.status}: nothing assigned yet")
    for group, assignment in done.assignments.items():
        print(f"group {group}: access assignment {assignment.id} is {assignment.status}")
    return print_problems(problem for found in done.problems.values() for problem in found)


def run_reseller(args: argparse.Namespace) -> int:
    """Approve or reject, as an indirect reseller, a relationship its provider made."""
    verb = "approve" if args.approve else "reject"
    if not confirmed(args, f"{verb} GDAP relationship {args.relationship} as the reseller"):
        return EXIT_OK
    with _env.Environment.from_args(args) as env:
        manager = _manager(env)
        act = manager.approve_as_reseller if args.approve else manager.reject_as_reseller
        done = act(args.relationship, operation_id=args.operation_id)
    return _print_relationship(done)
