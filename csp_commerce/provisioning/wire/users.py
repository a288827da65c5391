"""Customer users and their licences."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from csp_commerce.models.wire_enums import UserStateField
from csp_commerce.provisioning.wire._pc_model import Attributes, PCModel


class PasswordProfile(PCModel):
    """A new user's initial password."""

    password: str = Field(repr=False)
    force_change_password: bool = True


class CustomerUser(PCModel):
    """A user of the customer's tenant."""

    # Only in the create answer (the password is shown once).
    conditional_fields = frozenset({"passwordProfile"})

    id: str
    user_principal_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    display_name: str | None = None
    usage_location: str | None = None
    state: UserStateField | None = None
    user_domain_type: str | None = None
    password_profile: PasswordProfile | None = Field(default=None, repr=False)


class LicenseAssignment(PCModel):
    """A licence to assign: a product SKU id, with service plans to leave out."""

    sku_id: str
    excluded_plans: list[str] | None = None


class LicenseUpdate(PCModel):
    """The answer of a licence update (with any warnings)."""

    licenses_to_assign: list[LicenseAssignment] | None = None
    licenses_to_remove: list[str] | None = None
    license_warnings: list[dict[str, Any]] | None = None


class License(PCModel):
    """A licence assigned to a user."""

    product_sku: dict[str, Any] | None = None
    service_plans: list[dict[str, Any]] | None = None


class DirectoryRole(PCModel):
    """A directory (Entra ID) role a user holds, e.g. ``Company Administrator``."""

    id: str
    name: str | None = None
    attributes: Attributes | None = None
