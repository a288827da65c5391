"""GDAP (granular delegated admin privileges on Microsoft Graph): roles and the partner's template.

A GDAP relationship gives the partner Entra roles in a customer tenant for a duration (one day to
two years), optionally auto-extended by 180 days; access assignments then give those roles to the
partner's own security groups. :class:`GdapTemplate` is what a partner configures once (a JSON
settings file) and the library applies to every new customer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field

from csp_commerce.errors import ConfigurationError
from csp_commerce.models._base import Model

#: Entra built-in roles GDAP can grant: name → role template id (``roleDefinitionId``).
ROLES: dict[str, str] = {
    "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
    "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "Directory Readers": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
    "Directory Writers": "9360feb5-f418-4baa-8175-e2a00bac4301",
    "User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "Helpdesk Administrator": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "License Administrator": "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
    "Service Support Administrator": "f023fd81-a637-4b56-95fd-791ac0226033",
    "Billing Administrator": "b0f54661-2d74-4c50-afa3-1ec803f12efe",
    "Exchange Administrator": "29232cdf-9323-42fd-ade2-1d097af3e4de",
    "SharePoint Administrator": "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
    "Teams Administrator": "69091246-20e8-4a56-aa4d-066075b2a7a8",
    "Security Administrator": "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "Intune Administrator": "3a2c62db-5318-420d-8d74-23affee5d9d5",
    "Application Administrator": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "Cloud Application Administrator": "158c047a-c907-4556-b7ef-446551a6b5f7",
    "Authentication Administrator": "c4e39bd9-1100-46d3-8c65-fb160da0071f",
    "Privileged Authentication Administrator": "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
}
ROLE_IDS: frozenset[str] = frozenset(ROLES.values())
#: The roles of the Default GDAP relationship ``enableGDAPByDefault`` gives a new customer.
#: Microsoft does not list them; reported as the Microsoft-led transition's eight (unconfirmed:
#: the sandbox uses this set, nothing else relies on it).
DEFAULT_GDAP_ROLES: tuple[str, ...] = (
    "Directory Readers",
    "Directory Writers",
    "License Administrator",
    "Service Support Administrator",
    "User Administrator",
    "Privileged Role Administrator",
    "Helpdesk Administrator",
    "Privileged Authentication Administrator",
)
#: The longest duration Graph accepts (``P2Y``, 730 days) and the shortest (``P1D``).
MAX_DURATION_DAYS = 730
MIN_DURATION_DAYS = 1
#: ``autoExtendDuration`` values Graph accepts (``PT0S``/``P0D``: never; ``P180D``).
AUTO_EXTEND_VALUES = frozenset({"PT0S", "P0D", "P180D"})
#: The longest ``displayName`` (unique across all the partner's relationships).
MAX_DISPLAY_NAME = 50


def role_id(role: str) -> str | None:
    """The role template id of ``role`` (a name from :data:`ROLES`, any case, or an id)."""
    if role.lower() in ROLE_IDS:
        return role.lower()
    for name, identifier in ROLES.items():
        if name.lower() == role.strip().lower():
            return identifier
    return None


class GdapGroup(Model):
    """One access assignment of the template: a partner security group and its roles."""

    group_id: str = Field(min_length=1)
    roles: tuple[str, ...] = Field(min_length=1)


class GdapTemplate(Model):
    """The GDAP relationship a partner asks every new customer for, and its assignments.

    ``roles`` and each group's ``roles`` are role names from :data:`ROLES` or role ids;
    ``display_name`` is a pattern with ``{customer}`` (the customer's company name), cut to 50
    characters; ``duration`` ``P1D``..``P2Y``; ``auto_extend`` ``P180D`` or ``PT0S``.
    """

    roles: tuple[str, ...] = Field(min_length=1)
    duration: str = "P730D"
    auto_extend: str = "P180D"
    display_name: str = "{customer} GDAP"
    groups: tuple[GdapGroup, ...] = ()

    def name_for(self, customer: str) -> str:
        """The relationship's display name for ``customer``."""
        return self.display_name.format(customer=customer)[:MAX_DISPLAY_NAME]

    @classmethod
    def from_file(cls, path: str | Path) -> GdapTemplate:
        """The template in a JSON settings file (camelCase or snake_case keys)."""
        try:
            data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls.model_validate(data)
        except (OSError, ValueError) as error:
            raise ConfigurationError(f"cannot read the GDAP template {path}: {error}") from None


class GdapRequested(Model):
    """A GDAP relationship asked of a customer and locked for approval: the link its Global
    Administrator approves it at (valid 90 days). ``order_id`` names the order whose new tenant
    it was asked for (None when asked directly)."""

    customer_tenant_id: str
    relationship_id: str
    display_name: str
    status: str
    approval_link: str
    order_id: str | None = None
