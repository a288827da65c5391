from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency, get_decimal_symbol
from hypothesis import given
from hypothesis import strategies as st

from csp_commerce.money import currency_precision, format_money, round_money


@pytest.mark.parametrize(
    ("locale", "currency", "digits"),
    [
        ("de_DE", "EUR", "123456789"),
        ("fr_FR", "EUR", "123456789"),
        ("en_IN", "INR", "123456789"),
        ("de_CH", "CHF", "123456789"),
        ("ja_JP", "JPY", "1234568"),
        ("de-DE", "EUR", "123456789"),
    ],
)
def test_babel_output_is_kept_code_point_for_code_point(
    locale: str, currency: str, digits: str
) -> None:
    # The oracle is babel itself on the rounded amount: its CLDR data (separators, symbols,
    # grouping) changes between releases, and we must pass it through untouched, whatever it is.
    amount = Decimal("1234567.885")
    shown = format_money(amount, currency, locale)
    oracle = format_currency(
        round_money(amount, currency), currency, locale=locale.replace("-", "_")
    )
    assert shown == oracle
    # What is ours: the amount is rounded half up to the currency's precision before babel sees it.
    assert "".join(ch for ch in shown if ch.isdigit()) == digits
    decimal_symbol = get_decimal_symbol(locale.replace("-", "_"))
    assert (decimal_symbol in shown) == (currency_precision(currency) > 0)


def test_formatting_rounds_half_up_not_half_even() -> None:
    # babel alone would round 0.125 to 0.12 (banker's rounding).
    shown = format_money(Decimal("0.125"), "EUR", "en_US")
    assert shown == format_currency(Decimal("0.13"), "EUR", locale="en_US")
    assert "0.13" in shown


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
