"""A user to create in a customer's tenant, as read from a users CSV file."""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import Field, field_validator, model_validator

from csp_commerce.models._base import Model

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_UPN = re.compile(rf"^(?!\.)(?!.*\.\.)[A-Za-z0-9'._!#^~-]{{1,64}}(?<!\.)@{_LABEL}(?:\.{_LABEL})+$")


@lru_cache(maxsize=512)
def _is_country(code: str) -> bool:
    import pycountry

    return pycountry.countries.get(alpha_2=code) is not None


class NewUser(Model):
    """A user to create in a customer's tenant, and the licences (SKU ids) to assign to it.

    ``usage_location`` (ISO 3166 alpha-2) is required before licences can be assigned.
    """

    user_principal_name: str = Field(max_length=113)
    first_name: str | None = Field(default=None, max_length=64)
    last_name: str | None = Field(default=None, max_length=64)
    display_name: str = Field(min_length=1, max_length=256)
    usage_location: str | None = None
    licences: tuple[str, ...] = ()

    @field_validator("user_principal_name")
    @classmethod
    def _upn(cls, value: str) -> str:
        if not _UPN.match(value):
            raise ValueError("not a user principal name like name@contoso.onmicrosoft.com")
        return value

    @field_validator("usage_location")
    @classmethod
    def _usage_location(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.upper()
        if len(code) != 2 or not _is_country(code):
            raise ValueError("not an ISO 3166 two-letter country code")
        return code

    @field_validator("licences")
    @classmethod
    def _licences(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        licences = tuple(sku.strip() for sku in value if sku.strip())
        if any(len(sku) > 200 or any(c.isspace() for c in sku) for sku in licences):
            raise ValueError("a licence is a SKU id without spaces")
        return licences

    @model_validator(mode="after")
    def _licensed_users_have_a_location(self) -> NewUser:
        if self.licences and self.usage_location is None:
            raise ValueError("a usage location is required to assign licences")
        return self
