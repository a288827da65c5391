from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from csp_commerce.models.user import NewUser
from csp_commerce.validation.users_csv import read_users_csv, write_users_csv

HEADER = "User principal name,First name,Last name,Display name,Usage location,Licences\n"


def read(text: str) -> tuple[list[NewUser], list[tuple[str, str | None]]]:
    users, problems = read_users_csv(io.StringIO(text))
    return users, [(p.code, p.field) for p in problems]


def test_a_good_file_is_read() -> None:
    users, problems = read(
        HEADER + "jane@contoso.com,Jane,Doe,Jane Doe,de,sku-1;sku-2\n\nmax@contoso.com,,,Max,,\n"
    )
    assert problems == []
    assert users[0].usage_location == "DE"
    assert users[0].licences == ("sku-1", "sku-2")
    assert (users[1].first_name, users[1].usage_location, users[1].licences) == (None, None, ())


def test_round_trip() -> None:
    users = [
        NewUser(
            user_principal_name="jane@contoso.com",
            first_name="Jane",
            last_name="O'Neil, Jr.",
            display_name='Jane "JD" O\'Neil',
            usage_location="IE",
            licences=("sku-1", "sku-2"),
        ),
        NewUser(user_principal_name="max@contoso.com", display_name="=cmd|' /C calc'!A0"),
    ]
    stream = io.StringIO()
    write_users_csv(users, stream)
    assert "\n'=cmd" not in stream.getvalue()  # not in a leading cell
    assert ",'=cmd" in stream.getvalue()  # spreadsheet formulas are defused
    back, problems = read_users_csv(io.StringIO(stream.getvalue()))
    assert problems == []
    assert back == users


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=30
).filter(lambda text: text.strip() == text and bool(text))


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "user_principal_name": st.from_regex(r"\A[a-z][a-z0-9_-]{0,10}@contoso\.com\Z"),
                "first_name": st.none() | _TEXT,
                "display_name": _TEXT,
                "usage_location": st.sampled_from(["US", "DE", "JP", "CN"]),
                "licences": st.lists(st.from_regex(r"\A[a-f0-9-]{1,12}\Z"), max_size=3).map(tuple),
            }
        ).map(lambda values: NewUser(**values)),
        max_size=5,
        unique_by=lambda user: user.user_principal_name.casefold(),
    )
)
def test_round_trip_property(users: list[NewUser]) -> None:
    stream = io.StringIO()
    write_users_csv(users, stream)
    back, problems = read_users_csv(io.StringIO(stream.getvalue()))
    assert problems == []
    assert back == users


def test_bad_rows_become_problems_with_their_row_number() -> None:
    users, problems = read(
        HEADER + "jane@contoso.com,Jane,Doe,Jane Doe,DE,\n"
        "not-an-upn,Max,Mo,Max Mo,DE,\n"
        "kim@contoso.com,Kim,Li,Kim Li,XX,\n"
        "lee@contoso.com,Lee,Ng,,US,\n"
        "ann@contoso.com,Ann,Bo,Ann Bo,,sku-1\n"
        "JANE@contoso.com,Jane,Doe,Jane Doe,DE,\n"
        "bob@contoso.com,Bob,Bo,Bob Bo,US,,surplus\n"
    )
    assert [u.user_principal_name for u in users] == ["jane@contoso.com"]
    assert problems == [
        ("user.principal_name.invalid", "rows.3.user_principal_name"),
        ("user.usage_location.invalid", "rows.4.usage_location"),
        ("user.name.invalid", "rows.5.display_name"),
        ("user.usage_location.required", "rows.6.usage_location"),
        ("users_csv.duplicate_user", "rows.7.user_principal_name"),
        ("users_csv.extra_cells", "rows.8"),
    ]


@pytest.mark.parametrize(
    "upn",
    ["a@b", ".a@contoso.com", "a.@contoso.com", "a..b@contoso.com", "a b@contoso.com", "a@-b.com"],
)
def test_user_principal_names_are_checked(upn: str) -> None:
    with pytest.raises(ValidationError):
        NewUser(user_principal_name=upn, display_name="X")


def test_headers_are_matched_loosely_and_a_bom_is_ignored() -> None:
    users, problems = read(
        "\ufeffuserPrincipalName,display_name,LICENSES,usage location\n"
        "jane@contoso.com,Jane,sku-1,us\n"
    )
    assert problems == []
    assert users[0].licences == ("sku-1",)


def test_missing_and_unknown_columns() -> None:
    users, problems = read("First name,Colour\nJane,blue\n")
    assert users == []
    assert problems == [
        ("users_csv.unknown_column", "columns.2"),
        ("users_csv.missing_column", "columns"),
        ("users_csv.missing_column", "columns"),
    ]


def test_an_empty_file() -> None:
    assert read("") == ([], [("users_csv.empty", "rows")])


def test_an_unreadable_file_is_a_problem_not_a_traceback() -> None:
    class Broken(io.StringIO):
        def __next__(self) -> str:
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    users, problems = read_users_csv(Broken(HEADER))
    assert users == []
    assert [p.code for p in problems] == ["users_csv.unreadable"]
