"""Problems of a new password (the rules are in ``validation/passwords.py``)."""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

TOO_SHORT = ProblemType(
    "password.too_short",
    "password",
    "The password needs at least {minimum} characters.",
)
TOO_LONG = ProblemType(
    "password.too_long",
    "password",
    "The password may have at most {maximum} characters.",
)
MISSING_CHARACTER_CLASS = ProblemType(
    "password.missing_character_class",
    "password",
    "The password needs at least one {character_class} character.",
)
INVALID_CHARACTER = ProblemType(
    "password.invalid_character",
    "password",
    "The password may only use letters A-Z and a-z, digits, spaces and the symbols {symbols}.",
)
CONTAINS_NAME = ProblemType(
    "password.contains_name",
    "password",
    "The password must not contain {part}, which is part of the user's name.",
)
