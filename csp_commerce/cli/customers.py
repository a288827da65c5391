"""``csp-commerce customers list|show``: the partner's customers as Partner Center knows them.

``list`` pages through every customer (``--company`` or ``--domain`` search by prefix, as Partner
Center does); ``show`` prints one customer with its company and billing profiles;
``domain-available PREFIX`` says whether ``PREFIX.onmicrosoft.com`` is free for a new tenant
(exit 0 free, 1 taken). A new customer
is created by placing an order for it (``csp-commerce checkout``), so that the tenant, the MCA
and the first subscriptions are one exactly-once order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_INVALID, EXIT_OK, _env
from csp_commerce.cli._render import emit
from csp_commerce.cli.prices import add_format

if TYPE_CHECKING:
    import argparse

COLUMNS = ("tenant id", "company", "domain", "relationship")


def register(subparsers: Any) -> None:
    """Add ``customers`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "customers", help="list and show the partner's customers", description=__doc__
    )
    actions = parser.add_subparsers(dest="customers_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every customer (or those a search finds)")
    search = listing.add_mutually_exclusive_group()
    search.add_argument("--company", metavar="PREFIX", help="company names starting with it")
    search.add_argument("--domain", metavar="PREFIX", help="domains starting with it")
    add_format(listing, "table", "json", "csv")
    listing.set_defaults(func=run_list)
    show = actions.add_parser("show", help="one customer with its profiles")
    show.add_argument("customer", metavar="TENANT_ID", help="the customer's tenant id")
    add_format(show, "table", "json")
    show.set_defaults(func=run_show)
    domain = actions.add_parser(
        "domain-available", help="is PREFIX.onmicrosoft.com free for a new tenant?"
    )
    domain.add_argument("prefix", metavar="PREFIX", help="e.g. contoso for contoso.onmicrosoft.com")
    domain.set_defaults(func=run_domain_available)
    for action in (listing, show, domain):
        _env.add_arguments(action)


def run_list(args: argparse.Namespace) -> int:
    """``customers list``."""
    with _env.Environment.from_args(args) as env:
        customers = list(env.client.customers.list(company_name=args.company, domain=args.domain))
        title = f"{len(customers)} customer(s) of {env.target_name}"
    rows = [
        (
            customer.id,
            customer.company_profile.company_name if customer.company_profile else None,
            customer.company_profile.domain if customer.company_profile else None,
            customer.relationship_to_partner,
        )
        for customer in customers
    ]
    emit(args.format, title, COLUMNS, rows, customers)
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    """``customers show TENANT_ID``: an unknown id is exit 2 (Partner Center's 404)."""
    with _env.Environment.from_args(args) as env:
        customer = env.client.customers.get(args.customer)
        billing = env.client.customers.billing_profile(args.customer)
    record = customer.model_copy(update={"billing_profile": billing})
    company = customer.company_profile
    address = billing.default_address if billing else None
    rows = [
        ("tenant id", customer.id),
        ("company", company.company_name if company else None),
        ("domain", company.domain if company else None),
        ("relationship", customer.relationship_to_partner),
        ("billing email", billing.email if billing else None),
        ("culture", billing.culture if billing else None),
        ("country", address.country if address else None),
    ]
    emit(args.format, f"customer {customer.id}", ("field", "value"), rows, [record])
    return EXIT_OK


def run_domain_available(args: argparse.Namespace) -> int:
    """``customers domain-available PREFIX``: exit 0 when free, 1 when taken."""
    prefix = args.prefix.strip().lower().removesuffix(".onmicrosoft.com")
    with _env.Environment.from_args(args) as env:
        free = env.client.customers.domain_prefix_available(prefix)
    print(f"{prefix}.onmicrosoft.com is {'available' if free else 'taken'}")
    return EXIT_OK if free else EXIT_INVALID
