"""The password policy for new customer users, and passwords generated to meet it.

The policy (the seed's): at least 8 characters with upper and lower case letters, digits and
symbols, and no part of the user's account or full name. A name part is a run of letters and
digits of 3 or more characters in the account name (the user principal name before the ``@``),
the first, last or display name; the check ignores case. Entra ID also caps a password at 256
characters and allows only ASCII letters, digits, space and its listed symbols; we check those
too, so the mistake is caught before Partner Center's call.

Passwords never appear in a Problem, a repr or a log line: :class:`GeneratedPassword` hides its
value like pydantic's ``SecretStr``.
"""

from __future__ import annotations

import re
import secrets
import string
from typing import TYPE_CHECKING

from pydantic import SecretStr

from csp_commerce.models.catalogue.passwords_codes import (
    CONTAINS_NAME,
    INVALID_CHARACTER,
    MISSING_CHARACTER_CLASS,
    TOO_LONG,
    TOO_SHORT,
)

if TYPE_CHECKING:
    from csp_commerce.models.problem import Problem

MIN_LENGTH = 8
MAX_LENGTH = 256
MIN_NAME_PART = 3

#: The symbols Entra ID accepts in a password (with the space).
SYMBOLS = "@#$%^&*-_!+=[]{}|\\:',.?/`~\"();<> "
#: The symbols we generate with: none that a shell, CSV or an e-mail client mangles.
GENERATED_SYMBOLS = "!#$%&*+-=?@^_"

_CLASSES: tuple[tuple[str, str], ...] = (
    ("uppercase", string.ascii_uppercase),
    ("lowercase", string.ascii_lowercase),
    ("digit", string.digits),
    ("symbol", SYMBOLS),
)
_ALLOWED = frozenset(string.ascii_letters + string.digits + SYMBOLS)
_NAME_SPLIT = re.compile(r"[\W_]+")


class GeneratedPassword(SecretStr):
    """A generated password: ``str()`` and ``repr()`` show ``**********``.

    Read it once with :meth:`get_secret_value` to hand it to the user or to Partner Center;
    csp_commerce keeps no copy of it.
    """


def name_parts(*names: str | None) -> list[str]:
    """The parts of ``names`` a password may not contain: runs of 3+ letters/digits, lower case."""
    parts: list[str] = []
    for name in names:
        for part in _NAME_SPLIT.split((name or "").casefold()):
            if len(part) >= MIN_NAME_PART and part not in parts:
                parts.append(part)
    return parts


def check_password(
    password: str | SecretStr,
    *,
    user_principal_name: str = "",
    first_name: str | None = None,
    last_name: str | None = None,
    display_name: str | None = None,
) -> list[Problem]:
    """Every way ``password`` breaks the policy for this user; empty when it is acceptable."""
    value = password.get_secret_value() if isinstance(password, SecretStr) else password
    problems: list[Problem] = []
    if len(value) < MIN_LENGTH:
        problems.append(TOO_SHORT(minimum=MIN_LENGTH))
    if len(value) > MAX_LENGTH:
        problems.append(TOO_LONG(maximum=MAX_LENGTH))
    for class_name, characters in _CLASSES:
        if not any(char in characters for char in value):
            problems.append(MISSING_CHARACTER_CLASS(character_class=class_name))
    if any(char not in _ALLOWED for char in value):
        problems.append(INVALID_CHARACTER(symbols=SYMBOLS.strip()))
    account = user_principal_name.split("@", 1)[0]
    folded = value.casefold()
    for part in name_parts(account, first_name, last_name, display_name):
        if part in folded:
            problems.append(CONTAINS_NAME(part=part))
    return problems


def generate_password(
    length: int = 16,
    *,
    user_principal_name: str = "",
    first_name: str | None = None,
    last_name: str | None = None,
    display_name: str | None = None,
) -> GeneratedPassword:
    """A random password (``secrets``) of ``length`` characters that meets the policy.

    Pass the user's names so that the password cannot contain one of them by chance.
    """
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(f"length must be between {MIN_LENGTH} and {MAX_LENGTH}")
    pools = (string.ascii_uppercase, string.ascii_lowercase, string.digits, GENERATED_SYMBOLS)
    alphabet = "".join(pools)
    shuffler = secrets.SystemRandom()
    while True:
        chars = [secrets.choice(pool) for pool in pools]
        chars += [secrets.choice(alphabet) for _ in range(length - len(pools))]
        shuffler.shuffle(chars)
        candidate = "".join(chars)
        if not check_password(
            candidate,
            user_principal_name=user_principal_name,
            first_name=first_name,
            last_name=last_name,
            display_name=display_name,
        ):
            return GeneratedPassword(candidate)
