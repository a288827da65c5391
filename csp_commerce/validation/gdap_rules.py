"""GDAP rules checked before any request: roles, duration, auto-extension, display name.

Graph refuses these too, but only after a round trip and with a generic error; the storefront
and the command get a Problem naming the field instead.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from csp_commerce.models.catalogue.gdap_codes import (
    GDAP_AUTO_EXTEND_INVALID,
    GDAP_DISPLAY_NAME_INVALID,
    GDAP_DISPLAY_NAME_TAKEN,
    GDAP_DURATION_INVALID,
    GDAP_DURATION_OUT_OF_RANGE,
    GDAP_NO_ROLES,
    GDAP_ROLE_NOT_IN_RELATIONSHIP,
    GDAP_UNKNOWN_ROLE,
)
from csp_commerce.models.gdap import (
    AUTO_EXTEND_VALUES,
    MAX_DISPLAY_NAME,
    MAX_DURATION_DAYS,
    MIN_DURATION_DAYS,
    role_id,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from csp_commerce.models.problem import Problem

_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?", re.IGNORECASE)
#: Days per unit as Graph counts them (P2Y is its documented maximum, equal to P730D).
_UNIT_DAYS = (365, 30, 7, 1)


def duration_days(duration: str) -> int | None:
    """The days ``duration`` (``P730D``, ``P2Y``, ``P1Y6M``...) spans; None when not one."""
    found = _DURATION.fullmatch(duration.strip())
    if found is None or not any(found.groups()):
        return None
    return sum(int(part or 0) * days for part, days in zip(found.groups(), _UNIT_DAYS, strict=True))


def check_roles(roles: Iterable[str]) -> list[Problem]:
    """Every role must be one GDAP can grant; at least one."""
    roles = list(roles)
    if not roles:
        return [GDAP_NO_ROLES()]
    return [GDAP_UNKNOWN_ROLE(role=role) for role in roles if role_id(role) is None]


def check_gdap_relationship(
    display_name: str,
    duration: str,
    roles: Iterable[str],
    auto_extend: str,
    taken_names: Iterable[str] = (),
) -> list[Problem]:
    """The Problems of a new GDAP relationship (``taken_names``: the partner's existing ones)."""
    problems: list[Problem] = []
    name = display_name.strip()
    if not 1 <= len(name) <= MAX_DISPLAY_NAME:
        problems.append(GDAP_DISPLAY_NAME_INVALID(display_name=display_name, length=len(name)))
    elif name.lower() in {taken.strip().lower() for taken in taken_names}:
        problems.append(GDAP_DISPLAY_NAME_TAKEN(display_name=name))
    days = duration_days(duration)
    if days is None:
        problems.append(GDAP_DURATION_INVALID(duration=duration))
    elif not MIN_DURATION_DAYS <= days <= MAX_DURATION_DAYS:
        problems.append(GDAP_DURATION_OUT_OF_RANGE(duration=duration, days=days))
    if auto_extend.upper() not in AUTO_EXTEND_VALUES:
        problems.append(GDAP_AUTO_EXTEND_INVALID(value=auto_extend))
    problems.extend(check_roles(roles))
    return problems


def check_gdap_assignment(roles: Iterable[str], relationship_roles: Iterable[str]) -> list[Problem]:
    """An access assignment's roles: known, and all among the relationship's."""
    roles = list(roles)
    problems = check_roles(roles)
    if problems:
        return problems
    granted = {role_id(role) for role in relationship_roles}
    return [
        GDAP_ROLE_NOT_IN_RELATIONSHIP(role=role) for role in roles if role_id(role) not in granted
    ]
