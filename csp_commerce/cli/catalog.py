"""``csp-commerce catalog offers|order-template|promotions|term-end-dates``: what the partner can
sell, and an order for it.

``country-rules`` prints Partner Center's address, phone and tax rules for a country.
``offers`` lists every purchasable offer in a country (Partner Center's products, SKUs and
availabilities, as the checkout judges them), optionally of one segment. ``order-template`` writes
the skeleton of an order file for one offer (by catalog item id or name) that ``csp-commerce
checkout`` reads once the customer's details are filled in. ``promotions`` lists the promotions
active in a country, or (``--customer`` and ``--offer``) whether a customer qualifies for each on
its plan; ``term-end-dates`` lists the end dates a customer's new subscription of a term may
co-terminate on.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from csp_commerce._files import write_atomically
from csp_commerce.cli import EXIT_OK, _env
from csp_commerce.cli._render import emit
from csp_commerce.cli.prices import add_format
from csp_commerce.models.offer import BillingCycle, Segment, TermDuration

if TYPE_CHECKING:
    from decimal import Decimal

    from csp_commerce.provisioning.wire import ProductPromotion

if TYPE_CHECKING:
    import argparse

    from csp_commerce.models import Offer

COLUMNS = ("catalog item id", "name", "family", "segment", "billing", "terms", "seats")


def register(subparsers: Any) -> None:
    """Add ``catalog`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "catalog", help="browse offers by country and segment; write an order template",
        description=__doc__,
    )  # fmt: skip
    actions = parser.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    offers = actions.add_parser("offers", help="every purchasable offer in a country")
    offers.add_argument("--segment", choices=[segment.value for segment in Segment])
    add_format(offers, "table", "json", "csv")
    offers.set_defaults(func=run_offers)
    template = actions.add_parser("order-template", help="an order file skeleton for one offer")
    template.add_argument("offer", metavar="OFFER", help="catalog item id or offer name")
    template.add_argument("--quantity", type=int, default=1)
    template.add_argument("--output", "-o", metavar="FILE", help="write here (default stdout)")
    template.set_defaults(func=run_order_template)
    rules = actions.add_parser("country-rules", help="a country's address, phone and tax rules")
    add_format(rules, "table", "json")
    rules.set_defaults(func=run_country_rules)
    promotions = actions.add_parser(
        "promotions", help="promotions in a country; a customer's eligibility for an offer's"
    )
    promotions.add_argument("--segment", default="commercial", help="default: commercial")
    promotions.add_argument(
        "--customer", metavar="TENANT", help="judge this customer's eligibility"
    )
    promotions.add_argument(
        "--offer", metavar="CATALOG_ITEM", help="the offer to judge (with --customer)"
    )
    promotions.add_argument("--quantity", type=int, default=1, help="seats to judge (default 1)")
    add_format(promotions, "table", "json", "csv")
    promotions.set_defaults(func=run_promotions)
    end_dates = actions.add_parser(
        "term-end-dates", help="the end dates a customer's new subscription may co-terminate on"
    )
    end_dates.add_argument("--customer", metavar="TENANT", required=True)
    end_dates.add_argument("--term", choices=[term.value for term in TermDuration], required=True)
    add_format(end_dates, "table", "json", "csv")
    end_dates.set_defaults(func=run_term_end_dates)
    _env.add_arguments(end_dates)
    for action in (offers, template, rules, promotions):
        action.add_argument(
            "--country", type=_country, required=True, help="ISO 3166 alpha-2 country, e.g. US"
        )
        _env.add_arguments(action)


def _country(text: str) -> str:
    """An ISO 3166 alpha-2 code, upper case; a usage error for anything else."""
    import argparse

    import pycountry

    code = text.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 3166 alpha-2 country code")
    return code


def _offers(args: argparse.Namespace) -> list[Offer]:
    from csp_commerce.checkout.catalog_offers import offers_from_catalog

    with _env.Environment.from_args(args) as env:
        return list(offers_from_catalog(env.client, args.country.upper()))


def run_offers(args: argparse.Namespace) -> int:
    """``catalog offers --country CC``."""
    offers = [
        offer
        for offer in _offers(args)
        if args.segment is None or offer.segment.value == args.segment
    ]
    rows = [
        (
            offer.id,
            offer.name,
            offer.family.value,
            offer.segment.value,
            ", ".join(sorted(cycle.value for cycle in offer.billing_cycles)),
            ", ".join(sorted(term.value for term in offer.term_durations)),
            f"{offer.min_quantity}-{offer.max_quantity}",
        )
        for offer in offers
    ]
    title = f"{len(offers)} offer(s) in {args.country.upper()}"
    emit(args.format, title, COLUMNS, rows, offers)
    return EXIT_OK


def run_order_template(args: argparse.Namespace) -> int:
    """``catalog order-template OFFER --country CC``: an unknown or ambiguous offer is exit 2."""
    from csp_commerce.checkout.order_file import OfferIndex
    from csp_commerce.errors import InputError

    offer = OfferIndex(_offers(args)).find(args.offer)
    if offer is None:
        raise InputError(f"no offer {args.offer!r} in {args.country.upper()}'s catalog")
    cycle, term = _first_valid_choice(offer)
    order = {
        "customer": {
            "reference": "FILL IN: your customer reference",
            "company": "FILL IN: company name",
            "domain": "FILL IN: prefix.onmicrosoft.com (a new tenant), or tenantId instead",
            "address": {"country": args.country.upper(), "state": "", "city": "",
                        "postalCode": "", "addressLine1": ""},
            "contact": {"firstName": "", "lastName": "", "email": "", "phoneNumber": ""},
        },
        "lines": [{"id": "1", "offer": offer.id, "quantity": max(args.quantity, offer.min_quantity),
                   "billingCycle": cycle.value, "term": term.value}],
    }  # fmt: skip
    text = json.dumps(order, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        write_atomically(args.output, text)
        print(f"wrote an order template for {offer.name} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _first_valid_choice(offer: Offer) -> tuple[BillingCycle, TermDuration]:
    """The offer's most common choice that the billing rules accept: monthly billing on the
    shortest term where offered, else the first cycle on the shortest term it allows (annual
    billing needs a term of at least a year, triennial one of three)."""
    terms = [term for term in TermDuration if term in offer.term_durations]
    for cycle in BillingCycle:
        if cycle not in offer.billing_cycles:
            continue
        shortest = _SHORTEST_TERM.get(cycle, TermDuration.P1M)
        allowed = [term for term in terms if _ORDER.index(term) >= _ORDER.index(shortest)]
        if allowed:
            return cycle, allowed[0]
    return next(iter(BillingCycle)), terms[0]


_ORDER = list(TermDuration)
_SHORTEST_TERM = {BillingCycle.ANNUAL: TermDuration.P1Y, BillingCycle.TRIENNIAL: TermDuration.P3Y}


def run_country_rules(args: argparse.Namespace) -> int:
    """``catalog country-rules --country CC``."""
    with _env.Environment.from_args(args) as env:
        rules = env.client.country_validation_rules.get(args.country)
    data = rules.model_dump(mode="json", by_alias=True, exclude_none=True)
    rows = [
        (name, ", ".join(map(str, value)) if isinstance(value, list) else value)
        for name, value in data.items()
    ]
    emit(args.format, f"rules of {args.country.upper()}", ("rule", "value"), rows, [rules])
    return EXIT_OK


PROMOTION_COLUMNS = ("promotion id", "name", "product:sku", "term", "billing", "% off", "ends")
ELIGIBILITY_COLUMNS = ("promotion id", "term", "billing", "% off", "eligible", "why not")
ELIGIBILITY_KEYS = ("promotionId", "term", "billingCycle", "percentOff", "eligible", "reasons")


def _percent(fraction: Decimal | None) -> str:
    return "" if fraction is None else f"{fraction * 100:g}"


def run_promotions(args: argparse.Namespace) -> int:
    """``catalog promotions --country CC [--customer T --offer ID]``: one request for the
    listing, one more for every plan of the offer's promotions."""
    from csp_commerce.errors import InputError

    if (args.customer is None) != (args.offer is None):
        raise InputError("--customer and --offer go together")
    with _env.Environment.from_args(args) as env:
        listed = list(env.client.promotions.list(args.country, args.segment))
        if args.customer is None:
            rows = [
                (
                    promotion.id,
                    promotion.name or "",
                    f"{required.product_id}:{required.sku_id}",
                    str(required.term.duration),
                    str(required.term.billing_cycle).lower(),
                    _percent(required.percent_discount()),
                    (promotion.end_date or "")[:10],
                )
                for promotion in listed
                for required in promotion.required_products
            ]
            title = f"{len(listed)} promotion(s) in {args.country} ({args.segment})"
            emit(args.format, title, PROMOTION_COLUMNS, rows, listed)
            return EXIT_OK
        judged = _eligibility_rows(env.client, args, listed)
    title = f"promotions of {args.offer} for {args.customer} ({args.quantity} seat(s))"
    data = [dict(zip(ELIGIBILITY_KEYS, row, strict=True)) for row in judged]
    emit(args.format, title, ELIGIBILITY_COLUMNS, judged, data)
    return EXIT_OK


def _eligibility_rows(
    client: Any, args: argparse.Namespace, listed: list[ProductPromotion]
) -> list[tuple[str, ...]]:
    from csp_commerce.errors import InputError
    from csp_commerce.provisioning.wire import PromotionEligibilityRequestItem

    parts = args.offer.split(":")
    if len(parts) != 3:
        raise InputError(f"{args.offer!r} is not a catalog item id (product:sku:availability)")
    plans = sorted(
        {
            (str(required.term.duration).upper(), str(required.term.billing_cycle).lower())
            for promotion in listed
            for required in promotion.required_products
            if [required.product_id, required.sku_id] == parts[:2]
        }
    )
    if not plans:
        return []
    items = [
        PromotionEligibilityRequestItem(
            id=index, catalog_item_id=args.offer, quantity=args.quantity,
            term_duration=term, billing_cycle=cycle,
        )
        for index, (term, cycle) in enumerate(plans)
    ]  # fmt: skip
    discounts = {
        promotion.id: required.percent_discount()
        for promotion in listed
        for required in promotion.required_products
    }
    rows: list[tuple[str, ...]] = []
    for answer in client.promotions.eligibilities(args.customer, items):
        term, cycle = plans[answer.id]
        for verdict in answer.eligibilities:
            if verdict.promotion_id is None or verdict.promotion_id not in discounts:
                continue
            kinds = [str(error.type) for error in verdict.errors if error.type]
            if "Term" in kinds:
                continue  # the promotion is for another plan: that plan's row judges it
            reasons = ", ".join(kinds)
            rows.append(
                (
                    verdict.promotion_id, term, cycle,
                    _percent(discounts[verdict.promotion_id]),
                    "yes" if verdict.is_eligible else "no", reasons,
                )
            )  # fmt: skip
    return rows


END_DATE_COLUMNS = ("end date", "kind", "co-terminates with")


def run_term_end_dates(args: argparse.Namespace) -> int:
    """``catalog term-end-dates --customer T --term P1Y``."""
    with _env.Environment.from_args(args) as env:
        dates = list(env.client.term_end_dates.list(args.customer, args.term))
    rows = [
        (
            found.allowed_custom_term_end_date[:10],
            found.allowed_custom_term_end_date_type or "",
            ", ".join(found.coterm_subscription_ids),
        )
        for found in dates
    ]
    title = f"{len(rows)} end date(s) for a new {args.term} subscription of {args.customer}"
    # Dates, not zone-less times: Partner Center answers midnight without a zone.
    data = [
        {"endDate": end, "kind": kind, "cotermSubscriptionIds": list(found.coterm_subscription_ids)}
        for (end, kind, _), found in zip(rows, dates, strict=True)
    ]
    emit(args.format, title, END_DATE_COLUMNS, rows, data)
    return EXIT_OK
