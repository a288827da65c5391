"""Money: rounding to a currency's minor unit and formatting per locale (babel's CLDR data).

babel is imported on first use, so that importing csp_commerce stays cheap.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale


@lru_cache(maxsize=512)
def currency_precision(currency: str) -> int:
    """The number of decimals of ``currency`` (ISO 4217): JPY 0, EUR 2, KWD 3."""
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(currency.upper()))


@lru_cache(maxsize=512)
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_precision(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded to the minor unit of ``currency``, half away from zero.

    Commercial rounding (half up), not babel's default banker's rounding: 0.125 EUR is 0.13.
    """
    return amount.quantize(_quantum(currency), rounding=ROUND_HALF_UP)


@lru_cache(maxsize=256)
def _locale(name: str) -> Locale:
    from babel import Locale

    return Locale.parse(name.replace("-", "_"))


def format_money(amount: Decimal, currency: str, locale: str = "en_US") -> str:
    """``amount`` of ``currency`` as a person in ``locale`` writes it (``de_DE``: ``1.234,50 €``).

    The amount is first rounded with :func:`round_money`. The output is babel's, code point for
    code point: several locales separate with U+00A0 (no-break space) or U+202F (narrow no-break
    space), e.g. ``fr_FR`` gives ``"1\\u202f234,50\\u00a0€"``.
    """
    from babel.numbers import format_currency

    code = currency.upper()
    return str(format_currency(round_money(amount, code), code, locale=_locale(locale)))
