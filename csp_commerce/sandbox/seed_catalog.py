"""The sandbox's seeded catalog: realistic new-commerce licence offers with list prices.

Product ids are shaped like Partner Center's (``CFQ7TTC0....``) and catalog item ids follow its
``{productId}:{skuId}:{availabilityId}`` form, but they are sandbox-local: never hard-code them
against the real service. Prices are Microsoft's published estimated retail prices (ERP) in USD
per licence per month for an annual term, as of 2024-25; Partner Center itself publishes prices
in price sheets, not in availabilities, so the sandbox only shows them on orders and invoices.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from csp_commerce.models.offer import (
    BillingCycle,
    Offer,
    OfferFamily,
    ProductKind,
    Segment,
    TermDuration,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

_SKU_NAMESPACE = uuid.UUID("5b1f0c3e-7d0e-4a39-9a51-3c5bd0a7c001")

#: Price factors relative to the annual-term price. Monthly billing of an annual term costs 5 %
#: more (Microsoft, April 2025); a monthly term costs 20 % more; three-year terms keep the price.
_MONTHLY_TERM_UPLIFT = Decimal("1.20")
_MONTHLY_BILLING_UPLIFT = Decimal("1.05")

Term = tuple[str, str]  # (termDuration, billingCycle), Partner Center's wire values

STANDARD_TERMS: tuple[Term, ...] = (("P1M", "monthly"), ("P1Y", "monthly"), ("P1Y", "annual"))
WITH_THREE_YEARS: tuple[Term, ...] = (*STANDARD_TERMS, ("P3Y", "annual"), ("P3Y", "triennial"))
ANNUAL_TERMS: tuple[Term, ...] = (("P1Y", "monthly"), ("P1Y", "annual"))
#: The three-year SKUs of 2025 (M365 E3/E5 without Teams): 100 seats at least, no monthly billing.
THREE_YEAR_SKU_TERMS: tuple[Term, ...] = (*STANDARD_TERMS, ("P3Y", "annual"), ("P3Y", "triennial"))
SOFTWARE_TERMS: tuple[Term, ...] = (("P1Y", "annual"), ("P3Y", "annual"), ("P3Y", "triennial"))

SEGMENT_WIRE = {
    Segment.COMMERCIAL: "Commercial",
    Segment.EDUCATION: "Education",
    Segment.GOVERNMENT: "Government",
    Segment.NONPROFIT: "NonProfit",
}

#: The customer qualification each specialised segment needs (approved) before a purchase.
SEGMENT_QUALIFICATION = {
    Segment.EDUCATION: "Education",
    Segment.GOVERNMENT: "GovernmentCommunityCloud",
    Segment.NONPROFIT: "Nonprofit",
}

BUSINESS_SEAT_CAP = 300


@dataclass(frozen=True)
class CatalogItem:
    """One purchasable availability of a product's SKU, with its list price."""

    product_id: str
    sku_id: str
    availability_id: str
    title: str
    description: str
    family: OfferFamily
    price: Decimal  # USD per licence per month, annual term (ERP)
    segment: Segment = Segment.COMMERCIAL
    terms: tuple[Term, ...] = STANDARD_TERMS
    min_quantity: int = 1
    max_quantity: int = 10_000
    max_seats_per_customer: int | None = None
    parent_product_ids: frozenset[str] = field(default_factory=frozenset)
    countries: frozenset[str] | None = None  # None: every country
    kind: ProductKind = ProductKind.LICENCE_BASED
    three_year_min_quantity: int | None = None  # three-year SKUs: the fewest seats on P3Y
    three_year_monthly_billing: bool = True

    @property
    def catalog_item_id(self) -> str:
        """Partner Center's purchasable id: ``{productId}:{skuId}:{availabilityId}``."""
        return f"{self.product_id}:{self.sku_id}:{self.availability_id}"

    @property
    def sku_guid(self) -> str:
        """The licence SKU id that subscribed SKUs and licence assignment use (sandbox-local)."""
        return str(uuid.uuid5(_SKU_NAMESPACE, f"{self.product_id}:{self.sku_id}"))

    @property
    def is_addon(self) -> bool:
        """Whether the item can only be bought on top of a parent subscription."""
        return bool(self.parent_product_ids)

    def supports(self, term_duration: str, billing_cycle: str) -> bool:
        """Whether ``(term_duration, billing_cycle)`` is one of the availability's terms."""
        return (term_duration, billing_cycle) in self.terms

    def monthly_price(self, term_duration: str, billing_cycle: str) -> Decimal:
        """The price of one licence for one month under the given term and billing cycle."""
        price = self.price
        if term_duration == "P1M":
            price *= _MONTHLY_TERM_UPLIFT
        elif term_duration == "P1Y" and billing_cycle == "monthly":
            price *= _MONTHLY_BILLING_UPLIFT
        return price.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def to_offer(self) -> Offer:
        """This item as the checkout's :class:`~csp_commerce.models.Offer`."""
        return Offer(
            id=self.catalog_item_id,
            product_id=self.product_id,
            name=self.title,
            family=self.family,
            segment=self.segment,
            billing_cycles=frozenset(BillingCycle(cycle) for _, cycle in self.terms),
            term_durations=frozenset(TermDuration(duration) for duration, _ in self.terms),
            min_quantity=self.min_quantity,
            max_quantity=self.max_quantity,
            max_seats_per_customer=self.max_seats_per_customer,
            parent_product_ids=self.parent_product_ids,
            kind=self.kind,
            three_year_min_quantity=self.three_year_min_quantity,
            three_year_monthly_billing=self.three_year_monthly_billing,
        )


# Product ids (shaped like Partner Center's, sandbox-local).
BUSINESS_BASIC = "CFQ7TTC0LH18"
BUSINESS_STANDARD = "CFQ7TTC0LDPB"
BUSINESS_PREMIUM = "CFQ7TTC0LCHC"
APPS_FOR_BUSINESS = "CFQ7TTC0LH1G"
O365_E1 = "CFQ7TTC0LF8R"
O365_E3 = "CFQ7TTC0LF8Q"
O365_E5 = "CFQ7TTC0LF8S"
M365_E3 = "CFQ7TTC0LFLX"
M365_E5 = "CFQ7TTC0LFLZ"
EXCHANGE_PLAN1 = "CFQ7TTC0LH16"
TEAMS_PHONE = "CFQ7TTC0J1FV"
EXCHANGE_ARCHIVING = "CFQ7TTC0LH0Z"
D365_SALES = "CFQ7TTC0LH2H"
BC_ESSENTIALS = "CFQ7TTC0LH8K"
BC_PREMIUM = "CFQ7TTC0LH8M"
M365_E3_NO_TEAMS = "CFQ7TTC0NT03"
WINDOWS_SERVER = "DG7GMGF0SW01"
MARKETPLACE_BACKUP = "DZH318Z0SA01"

_BUSINESS = {"max_quantity": BUSINESS_SEAT_CAP, "max_seats_per_customer": BUSINESS_SEAT_CAP}
_PHONE_PARENTS = frozenset(
    {BUSINESS_BASIC, BUSINESS_STANDARD, BUSINESS_PREMIUM, O365_E1, O365_E3, M365_E3}
)
_ARCHIVING_PARENTS = frozenset(
    {BUSINESS_BASIC, BUSINESS_STANDARD, O365_E1, O365_E3, EXCHANGE_PLAN1}
)


def _item(
    product: str, sku: str, availability: str, title: str, price: str, **kw: object
) -> CatalogItem:
    description = str(kw.pop("description", title))
    return CatalogItem(
        product_id=product,
        sku_id=sku,
        availability_id=availability,
        title=title,
        description=description,
        price=Decimal(price),
        **kw,  # type: ignore[arg-type]
    )


B, E, D, A, OTHER = (
    OfferFamily.BUSINESS,
    OfferFamily.ENTERPRISE,
    OfferFamily.DYNAMICS,
    OfferFamily.ADDON,
    OfferFamily.OTHER,
)

DEFAULT_ITEMS: tuple[CatalogItem, ...] = (
    # Microsoft 365 Business plans (one monthly + one annual subscription, 300 seats per plan)
    _item(BUSINESS_BASIC, "0001", "CFQ7TTC0SB01", "Microsoft 365 Business Basic", "6.00",
          family=B, **_BUSINESS),
    _item(BUSINESS_STANDARD, "0001", "CFQ7TTC0SB02", "Microsoft 365 Business Standard", "12.50",
          family=B, **_BUSINESS),
    _item(BUSINESS_PREMIUM, "0002", "CFQ7TTC0SB03", "Microsoft 365 Business Premium", "22.00",
          family=B, **_BUSINESS),
    _item(APPS_FOR_BUSINESS, "0001", "CFQ7TTC0SB04", "Microsoft 365 Apps for business", "8.25",
          family=B, **_BUSINESS),
    # Nonprofit variants (need an approved Nonprofit qualification)
    _item("CFQ7TTC0NP01", "0001", "CFQ7TTC0SN01", "Microsoft 365 Business Basic for Nonprofits",
          "0.00", family=B, segment=Segment.NONPROFIT, terms=ANNUAL_TERMS, **_BUSINESS),
    _item("CFQ7TTC0NP02", "0001", "CFQ7TTC0SN02",
          "Microsoft 365 Business Standard for Nonprofits", "3.00", family=B,
          segment=Segment.NONPROFIT, terms=ANNUAL_TERMS, **_BUSINESS),
    _item("CFQ7TTC0NP03", "0001", "CFQ7TTC0SN03",
          "Microsoft 365 Business Premium for Nonprofits", "5.50", family=B,
          segment=Segment.NONPROFIT, terms=ANNUAL_TERMS, **_BUSINESS),
    # Enterprise plans
    _item(O365_E1, "0001", "CFQ7TTC0SE01", "Office 365 E1", "10.00", family=E),
    _item(O365_E3, "0001", "CFQ7TTC0SE02", "Office 365 E3", "23.00", family=E),
    _item(O365_E5, "0001", "CFQ7TTC0SE03", "Office 365 E5", "38.00", family=E),
    _item(M365_E3, "0001", "CFQ7TTC0SE04", "Microsoft 365 E3", "36.00", family=E,
          terms=WITH_THREE_YEARS),
    _item(M365_E5, "0002", "CFQ7TTC0SE05", "Microsoft 365 E5", "57.00", family=E,
          terms=WITH_THREE_YEARS),
    _item(M365_E3_NO_TEAMS, "0001", "CFQ7TTC0SE06", "Microsoft 365 E3 (no Teams)", "33.75",
          family=E, terms=THREE_YEAR_SKU_TERMS, three_year_min_quantity=100,
          three_year_monthly_billing=False),
    # Software subscriptions (no seat reductions) and a marketplace SaaS offer (72 h refunds)
    _item(WINDOWS_SERVER, "0001", "CFQ7TTC0SS01",
          "Windows Server 2022 Standard - 2 Core License Pack", "7.50", family=OTHER,
          terms=SOFTWARE_TERMS, kind=ProductKind.SOFTWARE_SUBSCRIPTION),
    _item(MARKETPLACE_BACKUP, "0001", "CFQ7TTC0SM01", "Contoso Cloud Backup", "9.00",
          family=OTHER, kind=ProductKind.MARKETPLACE_SAAS),
    _item(EXCHANGE_PLAN1, "0001", "CFQ7TTC0SO01", "Exchange Online (Plan 1)", "4.00", family=OTHER),
    # Education (need an approved Education qualification)
    _item("CFQ7TTC0ED01", "0001", "CFQ7TTC0SD01", "Office 365 A1 for faculty", "0.00",
          family=E, segment=Segment.EDUCATION, terms=(("P1M", "monthly"),)),
    _item("CFQ7TTC0ED02", "0001", "CFQ7TTC0SD02", "Office 365 A1 for students", "0.00",
          family=E, segment=Segment.EDUCATION, terms=(("P1M", "monthly"),)),
    _item("CFQ7TTC0ED03", "0001", "CFQ7TTC0SD03", "Office 365 A3 for faculty", "3.25",
          family=E, segment=Segment.EDUCATION, terms=ANNUAL_TERMS),
    _item("CFQ7TTC0ED04", "0001", "CFQ7TTC0SD04", "Office 365 A3 for students", "2.50",
          family=E, segment=Segment.EDUCATION, terms=ANNUAL_TERMS),
    _item("CFQ7TTC0ED05", "0001", "CFQ7TTC0SD05", "Microsoft 365 A3 for faculty", "8.00",
          family=E, segment=Segment.EDUCATION, terms=ANNUAL_TERMS),
    # US Government Community Cloud (need an approved GovernmentCommunityCloud qualification)
    _item("CFQ7TTC0GV01", "0001", "CFQ7TTC0SG01", "Office 365 G3 GCC", "20.00", family=E,
          segment=Segment.GOVERNMENT, terms=ANNUAL_TERMS, countries=frozenset({"US"})),
    _item("CFQ7TTC0GV02", "0001", "CFQ7TTC0SG02", "Microsoft 365 G3 GCC", "32.00", family=E,
          segment=Segment.GOVERNMENT, terms=ANNUAL_TERMS, countries=frozenset({"US"})),
    # Dynamics 365
    _item(D365_SALES, "0001", "CFQ7TTC0SY01", "Dynamics 365 Sales Enterprise", "105.00",
          family=D, terms=WITH_THREE_YEARS),
    _item(BC_ESSENTIALS, "0001", "CFQ7TTC0SY02", "Dynamics 365 Business Central Essentials",
          "80.00", family=D, terms=WITH_THREE_YEARS),
    _item(BC_PREMIUM, "0001", "CFQ7TTC0SY03", "Dynamics 365 Business Central Premium",
          "110.00", family=D, terms=WITH_THREE_YEARS),
    # Add-ons (bought on top of a parent subscription)
    _item(TEAMS_PHONE, "0001", "CFQ7TTC0SA01", "Microsoft Teams Phone Standard", "10.00",
          family=A, parent_product_ids=_PHONE_PARENTS),
    _item(EXCHANGE_ARCHIVING, "0001", "CFQ7TTC0SA02", "Exchange Online Archiving", "3.00",
          family=A, parent_product_ids=_ARCHIVING_PARENTS),
)  # fmt: skip


class Catalog:
    """The catalog the sandbox sells from, indexed by catalog item id and by product."""

    def __init__(self, items: tuple[CatalogItem, ...] = DEFAULT_ITEMS) -> None:
        self._items = {item.catalog_item_id: item for item in items}
        self._by_product: dict[str, list[CatalogItem]] = {}
        for item in items:
            self._by_product.setdefault(item.product_id, []).append(item)
        self._with_addons = frozenset(p for item in items for p in item.parent_product_ids)

    def __iter__(self) -> Iterator[CatalogItem]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def get(self, catalog_item_id: str) -> CatalogItem | None:
        """The item with this catalog item id, or None."""
        return self._items.get(catalog_item_id)

    def product(self, product_id: str) -> list[CatalogItem]:
        """Every item (SKU availability) of a product; empty when unknown."""
        return self._by_product.get(product_id, [])

    def has_addons(self, product_id: str) -> bool:
        """Whether some add-on can be bought on top of this product."""
        return product_id in self._with_addons

    def find(self, title: str) -> CatalogItem:
        """The item with exactly this title (convenient in demos and tests)."""
        for item in self._items.values():
            if item.title == title:
                return item
        raise KeyError(title)

    def offers(self) -> list[Offer]:
        """The whole catalog as checkout :class:`~csp_commerce.models.Offer` objects."""
        return [item.to_offer() for item in self._items.values()]
