from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csp_commerce.pricing import currency_precision, format_money, round_money

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("locale", "currency", "expected"),
    [
        ("de_DE", "EUR", f"1.234.567,89{NBSP}€"),
        ("fr_FR", "EUR", f"1{NNBSP}234{NNBSP}567,89{NBSP}€"),
        ("en_IN", "INR", "₹12,34,567.89"),
        ("de_CH", "CHF", f"CHF{NBSP}1’234’567.89"),
        ("ja_JP", "JPY", "￥1,234,568"),
        ("de-DE", "EUR", f"1.234.567,89{NBSP}€"),
    ],
)
def test_babel_output_is_kept_code_point_for_code_point(
    locale: str, currency: str, expected: str
) -> None:
    assert format_money(Decimal("1234567.885"), currency, locale) == expected


def test_formatting_rounds_half_up_not_half_even() -> None:
    # babel alone would round 0.125 to 0.12 (banker's rounding).
    assert format_money(Decimal("0.125"), "EUR", "en_US") == "€0.13"


@pytest.mark.parametrize(
    ("currency", "amount", "expected"),
    [
        ("JPY", "1234.5", "1235"),
        ("JPY", "1234.49", "1234"),
        ("KWD", "1.2345", "1.235"),
        ("KWD", "1.2344", "1.234"),
        ("EUR", "2.675", "2.68"),
        ("EUR", "-2.675", "-2.68"),
    ],
)
def test_round_money_uses_the_currency_precision(currency: str, amount: str, expected: str) -> None:
    rounded = round_money(Decimal(amount), currency)
    assert rounded == Decimal(expected)
    assert str(rounded) == expected


def test_currency_precision_comes_from_babel() -> None:
    assert (currency_precision("JPY"), currency_precision("eur"), currency_precision("KWD")) == (
        0,
        2,
        3,
    )


@given(
    amount=st.decimals(
        min_value=Decimal("-1e9"), max_value=Decimal("1e9"), allow_nan=False, places=6
    ),
    currency=st.sampled_from(["JPY", "EUR", "USD", "KWD", "CHF"]),
)
def test_rounding_is_within_half_a_minor_unit_and_idempotent(
    amount: Decimal, currency: str
) -> None:
    rounded = round_money(amount, currency)
    unit = Decimal(1).scaleb(-currency_precision(currency))
    assert abs(rounded - amount) <= unit / 2
    assert -rounded.as_tuple().exponent == currency_precision(currency)  # type: ignore[operator]
    assert round_money(rounded, currency) == rounded
