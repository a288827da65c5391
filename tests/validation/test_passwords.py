from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from csp_commerce.validation.passwords import (
    GeneratedPassword,
    check_password,
    generate_password,
    name_parts,
)

USER = {
    "user_principal_name": "jane.doe@contoso.onmicrosoft.com",
    "first_name": "Jane",
    "last_name": "Doe-Smith",
    "display_name": "Jane Doe-Smith (Finance)",
}


def codes(password: str, **user: str) -> list[str]:
    return [problem.code for problem in check_password(password, **(user or USER))]


def test_a_good_password_passes() -> None:
    assert codes("Tr0ub4dor&3x") == []


def test_at_least_eight_characters() -> None:
    assert codes("Ab1!xyz") == ["password.too_short"]
    assert codes("Ab1!xyzw") == []


def test_at_most_256_characters() -> None:
    assert codes("Ab1!" * 64) == []
    assert codes("Ab1!" * 64 + "x") == ["password.too_long"]


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("ab1!ab1!ab", "uppercase"),
        ("AB1!AB1!AB", "lowercase"),
        ("Abc!Abc!Ab", "digit"),
        ("Abc1Abc1Ab", "symbol"),
    ],
)
def test_every_character_class_is_required(password: str, missing: str) -> None:
    problems = check_password(password, **USER)
    assert [(p.code, p.params["character_class"]) for p in problems] == [
        ("password.missing_character_class", missing)
    ]


def test_only_entras_characters() -> None:
    assert codes("Tr0ub4dor&3é") == ["password.invalid_character"]
    assert codes("Tr0ub4dor 3x") == []  # a space is a symbol


@pytest.mark.parametrize(
    "password",
    [
        "xJANE1!abc",  # first name, any case
        "xx.DOE.1!A",  # account name part (jane.doe), three letters
        "Smith!!1aa",  # a part of the last name
        "1!Aafinance",  # a part of the display name
    ],
)
def test_no_part_of_the_account_or_full_name(password: str) -> None:
    assert "password.contains_name" in codes(password)


def test_name_parts_shorter_than_three_characters_are_allowed() -> None:
    user = {"user_principal_name": "al@contoso.com", "first_name": "Al", "last_name": "Li"}
    assert codes("Al!Li1xyzw", **user) == []
    assert name_parts("Al Li", "Jo-Ann Smith") == ["ann", "smith"]


def test_the_domain_is_not_part_of_the_account_name() -> None:
    assert codes("Contoso!1x", user_principal_name="jane@contoso.com") == []


def test_problems_never_contain_the_password() -> None:
    password = "janE"
    for problem in check_password(password, **USER):
        assert password not in problem.message
        assert password not in str(problem.params.values())


def test_a_secret_str_is_accepted() -> None:
    assert check_password(SecretStr("Tr0ub4dor&3x"), **USER) == []


@settings(max_examples=200)
@given(
    length=st.integers(min_value=8, max_value=64),
    first=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=0, max_size=6),
    last=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=0, max_size=6),
)
def test_generated_passwords_always_meet_the_policy(length: int, first: str, last: str) -> None:
    user = {
        "user_principal_name": f"{first or 'x'}@contoso.com",
        "first_name": first,
        "last_name": last,
        "display_name": f"{first} {last}",
    }
    password = generate_password(length, **user)
    assert len(password.get_secret_value()) == length
    assert check_password(password, **user) == []


def test_generated_passwords_differ() -> None:
    assert len({generate_password().get_secret_value() for _ in range(50)}) == 50


def test_a_generated_password_hides_itself(caplog: pytest.LogCaptureFixture) -> None:
    password = generate_password()
    secret = password.get_secret_value()
    assert isinstance(password, GeneratedPassword)
    assert secret not in str(password) and secret not in repr(password)
    assert secret not in f"{password}"
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("created user with %s", password)
    assert secret not in caplog.text


def test_generated_length_is_bounded() -> None:
    with pytest.raises(ValueError, match="length"):
        generate_password(7)
