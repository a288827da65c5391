"""``csp-commerce gdap list|show|link|approve``: the partner's GDAP relationships on Graph.

``list`` shows every relationship with its status and end date; ``show ID`` one, with its access
assignments; ``link ID`` prints the approval link to send the customer's Global Administrator;
``approve ID`` approves it in the sandbox (only the customer can, against Microsoft). Creating
relationships and assignments goes through the library (``client.gdap``) for now.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_OK, EXIT_USAGE, _env

if TYPE_CHECKING:
    import argparse


def register(subparsers: Any) -> None:
    """Add ``gdap`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "gdap", help="GDAP relationships: list, show, approval link", description=__doc__
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
