"""The order file ``csp-commerce checkout`` reads: one order as JSON, offers named by catalog.

::

    {
      "id": "order-1001",                                  # optional (default: a fresh id)
      "customer": {
        "reference": "contoso",                            # the host's own customer id
        "company": "Contoso Ltd",                          # or {"companyName": ..., ...}
        "domain": "contoso.onmicrosoft.com",               # a new tenant's domain, or
        "tenantId": "…",                                   # an existing tenant
        "address": {"country": "US", "state": "WA", "city": "Redmond",
                    "postalCode": "98052", "addressLine1": "1 Microsoft Way"},
        "contact": {"firstName": "Ada", "lastName": "Lovelace",
                    "email": "ada@contoso.com", "phoneNumber": "+14255550100"}
      },
      "reseller": {"partnerId": "1234567", "name": "Fabrikam IT"},   # optional
      "lines": [
        {"offer": "Microsoft 365 Business Standard",       # catalog item id or offer name
         "quantity": 5, "billingCycle": "monthly", "term": "P1Y"}
      ]
    }

Field names may be camelCase or snake_case. Any mistake in the file (not JSON, a wrong type, an
unknown offer, no customer) raises :class:`OrderFileError` naming the place; nothing is judged
or sent then.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from csp_commerce.errors import OrderFileError
from csp_commerce.models import Offer, Order

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import TypeAlias

    #: Offers, or a function giving the offers sold in a country.
    Offers: TypeAlias = Iterable[Offer] | Callable[[str], Iterable[Offer]]

#: The largest order file read (bytes): an order is small; anything bigger is a mistake.
MAX_BYTES = 1_000_000

_LINE_KEYS = {"term": "term_duration"}


class OfferIndex:
    """Offers by catalog item id (exact) and by name (case-insensitive).

    A name several offers share (availabilities of one SKU in several segments, say) is
    ambiguous: :meth:`find` then raises :class:`OrderFileError` listing their ids.
    """

    def __init__(self, offers: Iterable[Offer]) -> None:
        self.by_id: dict[str, Offer] = {}
        self.by_name: dict[str, list[Offer]] = {}
        for offer in offers:
            self.by_id[offer.id] = offer
            self.by_name.setdefault(offer.name.casefold(), []).append(offer)

    def find(self, key: str) -> Offer | None:
        """The offer with this id or name, or None."""
        if key in self.by_id:
            return self.by_id[key]
        named = self.by_name.get(key.strip().casefold(), [])
        if len(named) > 1:
            ids = ", ".join(offer.id for offer in named)
            raise OrderFileError(f"several offers are called {key!r}; name one by id: {ids}")
        return named[0] if named else None


def load_catalog(path: str | Path) -> list[Offer]:
    """Offers from a JSON file holding a list of :class:`~csp_commerce.models.Offer` objects."""
    data = _read_json(path, "catalog")
    if not isinstance(data, list):
        raise OrderFileError(f"{path}: a catalog file holds a JSON list of offers")
    offers = []
    for index, item in enumerate(data):
        try:
            offers.append(Offer.model_validate(item))
        except ValidationError as error:
            raise OrderFileError(f"{path}: offer {index}: {_explain(error)}") from None
    return offers


def load_order(path: str | Path, offers: Offers) -> Order:
    """The order in the file at ``path`` (``-`` is not supported: name a file)."""
    return parse_order(_read_json(path, "order"), offers, source=str(path))


def parse_order(data: Any, offers: Offers, *, source: str = "order") -> Order:
    """An :class:`Order` from decoded order-file JSON, offers resolved against ``offers``.

    ``offers`` is the offers themselves, or a function giving the offers sold in a country
    (called with the customer's country, e.g. to read Partner Center's catalog).
    """
    if not isinstance(data, dict):
        raise OrderFileError(f"{source}: an order file holds one JSON object")
    customer = data.get("customer")
    if not isinstance(customer, dict):
        raise OrderFileError(f"{source}: 'customer' is missing (an object is required)")
    lines = data.get("lines")
    if not isinstance(lines, list) or not lines:
        raise OrderFileError(f"{source}: 'lines' must be a non-empty list of order lines")
    fields: dict[str, Any] = {
        key: value for key, value in data.items() if key not in ("customer", "lines")
    }
    fields["customer"] = _customer(customer, source)
    if callable(offers):
        address = fields["customer"].get("address")
        country = address.get("country") if isinstance(address, dict) else None
        if not isinstance(country, str) or not country.strip():
            raise OrderFileError(f"{source}: customer.address.country is missing")
        offers = offers(country.strip().upper())
    index = OfferIndex(offers)
    fields["lines"] = [_line(line, number, index, source) for number, line in enumerate(lines)]
    try:
        return Order.model_validate(fields)
    except ValidationError as error:
        raise OrderFileError(f"{source}: {_explain(error)}") from None


def _customer(data: Mapping[str, Any], source: str) -> dict[str, Any]:
    customer = dict(data)
    company = customer.get("company")
    if isinstance(company, str):
        company = {"company_name": company}
    if company is None:
        raise OrderFileError(f"{source}: customer.company is missing (the company name)")
    if not isinstance(company, dict):
        raise OrderFileError(f"{source}: customer.company must be a name or an object")
    domain = customer.pop("domain", None)
    if domain is not None:
        company = {**company, "domain": domain}
    customer["company"] = company
    if not (company.get("domain") or customer.get("tenant_id") or customer.get("tenantId")):
        raise OrderFileError(
            f"{source}: the customer needs a 'domain' (new tenant) or a 'tenantId' (existing)"
        )
    return customer


def _line(data: Any, number: int, index: OfferIndex, source: str) -> dict[str, Any]:
    where = f"{source}: lines.{number}"
    if not isinstance(data, dict):
        raise OrderFileError(f"{where}: an order line is an object")
    line: dict[str, Any] = {str(_LINE_KEYS.get(key, key)): value for key, value in data.items()}
    key = line.get("offer")
    if not isinstance(key, str) or not key.strip():
        raise OrderFileError(f"{where}.offer: name the offer (catalog item id or offer name)")
    try:
        offer = index.find(key)
    except OrderFileError as ambiguous:
        raise OrderFileError(f"{where}.offer: {ambiguous}") from None
    if offer is None:
        raise OrderFileError(f"{where}.offer: unknown offer {key!r} (not in the catalog)")
    line["offer"] = offer
    line.setdefault("id", str(number + 1))
    return line


def _read_json(path: str | Path, what: str) -> Any:
    file = Path(path)
    try:
        with file.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise OrderFileError(f"cannot read the {what} file {path}: {error.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise OrderFileError(f"{path}: the {what} file is larger than {MAX_BYTES} bytes")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OrderFileError(f"{path}: not valid JSON ({error})") from None


def _explain(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"] if not _is_offer_internal(part))
        parts.append(f"{where or '(order)'}: {item['msg']}")
    return "; ".join(parts)


def _is_offer_internal(part: object) -> bool:
    # Model-level validators add e.g. "function-after[...]" to locations: noise for a person.
    return isinstance(part, str) and "[" in part


__all__ = ["OfferIndex", "OrderFileError", "load_catalog", "load_order", "parse_order"]
