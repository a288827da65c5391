"""Partner Center's catalog becomes checkout offers (read from the sandbox over the client)."""

from __future__ import annotations

from csp_commerce.checkout.catalog_offers import classify, offers_from_catalog
from csp_commerce.models import OfferFamily
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.provisioning.wire import Product, Sku
from csp_commerce.sandbox import Sandbox, SandboxCredential


def test_the_catalog_read_over_the_api_gives_the_sandboxs_own_offers() -> None:
    sandbox = Sandbox(seed=1)
    client = PartnerCenterClient(SandboxCredential(), http_client=sandbox.httpx_client())

    fetched = {offer.id: offer for offer in offers_from_catalog(client, "US")}
    expected = {offer.id: offer for offer in sandbox.catalog.offers()}

    assert fetched.keys() == expected.keys()
    for offer_id, offer in fetched.items():
        truth = expected[offer_id]
        assert (offer.family, offer.segment) == (truth.family, truth.segment), offer.name
        assert offer.billing_cycles == truth.billing_cycles, offer.name
        assert offer.term_durations == truth.term_durations, offer.name
        assert offer.max_seats_per_customer == truth.max_seats_per_customer, offer.name
        assert offer.parent_product_ids == truth.parent_product_ids, offer.name
        assert offer.kind == truth.kind, offer.name  # software and SaaS from the product type


def test_classify_reads_titles_and_the_addon_attribute() -> None:
    def family(title: str, **dynamic: object) -> OfferFamily:
        sku = Sku.model_validate({"id": "0001", "title": title, "dynamicAttributes": dynamic})
        return classify(Product(id="P", title=title), sku)

    assert family("Microsoft 365 Business Premium") is OfferFamily.BUSINESS
    assert family("Microsoft 365 Apps for business") is OfferFamily.BUSINESS
    assert family("Dynamics 365 Sales Enterprise") is OfferFamily.DYNAMICS
    assert family("Office 365 E3") is OfferFamily.ENTERPRISE
    assert family("Microsoft Teams Phone Standard", isAddon=True) is OfferFamily.ADDON
    assert family("Exchange Online (Plan 1)") is OfferFamily.OTHER
