"""``csp-commerce tenant invite-url|link``: the reseller relationship with an existing tenant.

An order for a tenant the partner has no relationship with needs the tenant's global admin to
accept the partner's invitation first. ``invite-url`` prints the link to send. ``link`` accepts
it on the customer's behalf, which only the sandbox can do: against the real Partner Center the
customer's admin accepts it in the Microsoft 365 admin center.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_OK, EXIT_USAGE, _env

if TYPE_CHECKING:
    import argparse

    from csp_commerce.cli._env import Environment


def register(subparsers: Any) -> None:
    """Add ``tenant`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "tenant", help="reseller relationship: invitation link, acceptance", description=__doc__
    )
    actions = parser.add_subparsers(dest="tenant_command", metavar="ACTION", required=True)
    invite = actions.add_parser("invite-url", help="the reseller relationship request link")
    invite.add_argument(
        "--customer", metavar="TENANT_ID", help="also show this tenant's relationship to us"
    )
    invite.set_defaults(func=run_invite_url)
    link = actions.add_parser("link", help="accept the invitation (sandbox only)")
    link.add_argument("--customer", metavar="TENANT_ID", required=True)
    link.set_defaults(func=run_link)
    for action in (invite, link):
        _env.add_arguments(action)


def run_invite_url(args: argparse.Namespace) -> int:
    """Print the relationship request link (and the tenant's relationship, if named)."""
    with _env.Environment.from_args(args) as env:
        url = env.client.relationships.request_link().url
        relationship = None
        if args.customer:
            relationship = _relationship(env, args.customer)
    print(url)
    if relationship is not None:
        print(f"tenant {args.customer}: relationship to us is {relationship}", file=sys.stderr)
    return EXIT_OK


def _relationship(env: Environment, tenant_id: str) -> str:
    """The tenant's relationship to the partner; "none" when Partner Center will not show it."""
    from csp_commerce.errors import NotFoundError, PermissionDeniedError

    try:
        customer = env.client.customers.get(tenant_id)
    except (NotFoundError, PermissionDeniedError):
        return "none"
    return customer.relationship_to_partner or "none"


def run_link(args: argparse.Namespace) -> int:
    """Accept the invitation in the sandbox; explain what to do when live."""
    if args.live:
        print(
            "csp-commerce: the customer's global admin accepts the invitation in the Microsoft "
            "365 admin center (send them `csp-commerce tenant invite-url --live`); a partner "
            "cannot accept it for them",
            file=sys.stderr,
        )
        return EXIT_USAGE
    with _env.Environment.from_args(args) as env:
        env.sandbox.accept_relationship(args.customer)
    print(f"tenant {args.customer} accepted the reseller relationship (sandbox)")
    return EXIT_OK
