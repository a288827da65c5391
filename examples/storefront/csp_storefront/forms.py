"""The storefront's forms: every field checked, every Problem kept next to its field.

The library judges the address (``HookManager.validate_address``, all 248 countries); the
storefront adds what any web form needs: required fields, lengths, no control characters and
no markup. Each check answers a :class:`csp_commerce.Problem` with the form field's name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError

from csp_commerce import Address, CompanyProfile, Contact, Customer, HookManager, Problem

_MARKUP = re.compile(r"[<>]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN_PREFIX = re.compile(r"^[a-z0-9]{1,27}$")

#: Storefront Problem codes and their messages (English, German, French).
MESSAGES: dict[str, dict[str, str]] = {
    "storefront.required": {
        "en": "This field is required.",
        "de": "Dieses Feld ist erforderlich.",
        "fr": "Ce champ est obligatoire.",
    },
    "storefront.too_long": {
        "en": "At most {max} characters.",
        "de": "Höchstens {max} Zeichen.",
        "fr": "{max} caractères au maximum.",
    },
    "storefront.control_characters": {
        "en": "Remove the invisible characters (line breaks, tabs or similar).",
        "de": "Entfernen Sie die unsichtbaren Zeichen (Zeilenumbrüche, Tabulatoren o. Ä.).",
        "fr": "Supprimez les caractères invisibles (sauts de ligne, tabulations, etc.).",
    },
    "storefront.markup_not_allowed": {
        "en": "The characters < and > are not allowed.",
        "de": "Die Zeichen < und > sind nicht erlaubt.",
        "fr": "Les caractères < et > ne sont pas autorisés.",
    },
    "storefront.invalid": {
        "en": "This value is not valid.",
        "de": "Dieser Wert ist ungültig.",
        "fr": "Cette valeur n'est pas valide.",
    },
    "storefront.quantity": {
        "en": "Enter a whole number of seats from 1 to 1000000.",
        "de": "Geben Sie eine ganze Zahl von 1 bis 1000000 Lizenzen ein.",
        "fr": "Saisissez un nombre entier de licences de 1 à 1000000.",
    },
}

#: The customer form: field -> (maximum length, required).
CUSTOMER_FIELDS: dict[str, tuple[int, bool]] = {
    "company_name": (200, True),
    "domain": (27, True),
    "first_name": (50, True),
    "last_name": (50, True),
    "email": (254, True),
    "phone_number": (32, True),
    "country": (2, True),
    "state": (64, False),
    "city": (100, False),
    "postal_code": (20, False),
    "address_line1": (200, False),
}
ADDRESS_FIELDS = ("country", "state", "city", "postal_code", "address_line1")


def problem(code: str, field_name: str, **params: Any) -> Problem:
    """A storefront Problem with its English message."""
    message = MESSAGES[code]["en"].format(**params)
    return Problem(code=code, field=field_name, message=message, params=params)


def storefront_message(item: Problem, language: str) -> str | None:
    """The storefront's own translation of one of its Problems (None for library codes)."""
    texts = MESSAGES.get(item.code)
    if texts is None:
        return None
    return texts.get(language, texts["en"]).format(**item.params)


def check_text(name: str, value: str, max_length: int, required: bool) -> Problem | None:
    """Empty, overlong, control characters, markup: the first that applies."""
    if not value.strip():
        return problem("storefront.required", name) if required else None
    if len(value) > max_length:
        return problem("storefront.too_long", name, max=max_length)
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        return problem("storefront.control_characters", name)
    if _MARKUP.search(value):
        return problem("storefront.markup_not_allowed", name)
    return None


@dataclass
class CustomerForm:
    """A submitted customer form: its values, and the Problems by field."""

    values: dict[str, str]
    problems: dict[str, list[Problem]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, item: Problem) -> None:
        name = item.field or "form"
        if not self.problems.get(name):  # one Problem per field: the first found
            self.problems.setdefault(name, []).append(item)


def read_customer(
    data: Mapping[str, str], hooks: HookManager, *, reference: str, tenant_id: str | None = None
) -> tuple[CustomerForm, Customer | None]:
    """Check every field of the customer form at once; the customer when all are fine."""
    values = {name: str(data.get(name, "")) for name in CUSTOMER_FIELDS}
    values["country"] = values["country"].strip().upper()
    values["domain"] = values["domain"].strip().lower()
    form = CustomerForm(values)
    for name, (max_length, required) in CUSTOMER_FIELDS.items():
        found = check_text(
            name, values[name], max_length, required and not _linked(name, tenant_id)
        )
        if found is not None:
            form.add(found)
    if "email" not in form.problems and not _EMAIL.match(values["email"]):
        form.add(problem("storefront.invalid", "email"))
    domain = values["domain"]
    if domain and "domain" not in form.problems and not _DOMAIN_PREFIX.match(domain):
        form.add(problem("storefront.invalid", "domain"))
    address = None
    if "country" not in form.problems:
        address = Address(
            **{name: values[name].strip() or None for name in ADDRESS_FIELDS if name != "country"},
            country=values["country"],
            phone_number=values["phone_number"].strip() or None,
        )
        for item in hooks.validate_address(address):
            name = (item.field or "country").split(".")[-1]
            form.add(item.model_copy(update={"field": name}))
    if not form.ok or address is None:
        return form, None
    try:
        customer = Customer(
            reference=reference,
            company=CompanyProfile(
                company_name=values["company_name"].strip(),
                domain=f"{values['domain']}.onmicrosoft.com" if values["domain"] else None,
            ),
            address=address,
            contact=Contact(
                first_name=values["first_name"].strip(),
                last_name=values["last_name"].strip(),
                email=values["email"].strip(),
                phone_number=values["phone_number"].strip(),
            ),
            tenant_id=tenant_id,
        )
    except ValidationError as error:
        for detail in error.errors():
            form.add(problem("storefront.invalid", str(detail["loc"][-1])))
        return form, None
    return form, customer


def _linked(name: str, tenant_id: str | None) -> bool:
    """A linked tenant already has its domain: the field is not asked for."""
    return name == "domain" and tenant_id is not None


def read_contact(data: Mapping[str, str]) -> tuple[dict[str, Problem], Contact | None]:
    """The MCA form's contact (who accepted), every field checked."""
    limits = {"first_name": 50, "last_name": 50, "email": 254, "phone_number": 32}
    problems: dict[str, Problem] = {}
    for name, max_length in limits.items():
        found = check_text(name, str(data.get(name, "")), max_length, True)
        if found is not None:
            problems[name] = found
    email = str(data.get("email", "")).strip()
    if "email" not in problems and not _EMAIL.match(email):
        problems["email"] = problem("storefront.invalid", "email")
    if problems:
        return problems, None
    return problems, Contact(
        first_name=str(data["first_name"]).strip(),
        last_name=str(data["last_name"]).strip(),
        email=email,
        phone_number=str(data["phone_number"]).strip(),
    )


def accepted_at(text: str) -> datetime | None:
    """The acceptance date from the form (a date or ``YYYY-MM-DDTHH:MM``), in UTC."""
    text = text.strip()
    if not text:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
