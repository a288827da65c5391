"""A kind of Problem (:class:`ProblemType`) and how its message is rendered per locale.

Templates are English; gettext catalogues (``translations``) translate them, and the parameters
are shown for the storefront's locale: countries and states by name (babel, pycountry), numbers,
money, dates and terms by babel, and words such as billing cycles from the catalogues.
"""

from __future__ import annotations

import gettext
import re
import string
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING

from csp_commerce.models.problem import ParamValue, Problem

if TYPE_CHECKING:
    from collections.abc import Mapping

_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class ProblemType:
    """A kind of Problem: its stable code, default field and English message template."""

    code: str
    field: str | None
    template: str

    def __call__(self, *, field: str | None = None, **params: ParamValue) -> Problem:
        """Make a Problem of this type; ``field`` overrides the default field. An enum given as
        a parameter is kept as its value (``licence_based``, not ``ProductKind.LICENCE_BASED``)."""
        params = {key: _value_of(value) for key, value in params.items()}
        return Problem(
            code=self.code,
            field=field if field is not None else self.field,
            message=_plain(self.template, params),
            params=params,
        )

    def __post_init__(self) -> None:
        names = {name for _, name, _, _ in _FORMATTER.parse(self.template) if name}
        if any(not name.isidentifier() for name in names):
            raise ValueError(f"template of {self.code!r} may only use plain {{name}} fields")


def _value_of(value: ParamValue) -> ParamValue:
    return value.value if isinstance(value, Enum) else value


def _plain(template: str, params: Mapping[str, ParamValue]) -> str:
    """The English message a Problem carries: ``template`` filled with ``params`` as given,
    but for the country and state, named (:func:`_format` renders for another locale)."""
    shown = {
        key: ", ".join(value) if isinstance(value, list) else "" if value is None else str(value)
        for key, value in params.items()
    }
    country = params.get("country")
    if isinstance(country, str):
        shown["country"] = country_name(country, "en")
        state = params.get("state")
        if isinstance(state, str) and state:
            shown["state"] = state_name(country, state, "en")
    return template.format_map(_Missing(shown))


def _format(template: str, params: Mapping[str, ParamValue], locale: str) -> str:
    """``template`` filled with ``params`` shown for ``locale`` (see :func:`_localize`)."""
    from csp_commerce.models.catalogue.translations import translation_for

    words = translation_for(locale)
    shown = {key: _localize(key, value, params, locale, words) for key, value in params.items()}
    return template.format_map(_Missing(shown))


#: ISO 8601 term durations (``P1M``, ``P1Y``, ``P36M``), shown as babel duration units.
_TERM = re.compile(r"^P(\d+)([MY])$")
#: A date or a date and time in ISO 8601, shown with babel's date formats.
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}.*)?$")


def _localize(
    key: str,
    value: ParamValue,
    params: Mapping[str, ParamValue],
    locale: str,
    words: gettext.NullTranslations,
) -> str:
    """One parameter as the sentence in ``locale`` shows it.

    ``country`` and ``state`` become names (babel, pycountry); numbers are formatted with babel,
    as money in the order's ``currency`` when the name ends in ``amount`` or ``price``; ISO
    dates and terms (``P1Y``) are written out; the words of :data:`VALUE_TEXTS` are translated
    (context: the parameter's name); lists are shown item by item. Anything else (names, ids,
    Partner Center's own reasons) is shown as given.
    """
    if isinstance(value, list):
        return ", ".join(_localize(key, item, params, locale, words) for item in value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        currency = params.get("currency")
        if not (key.endswith(("amount", "price")) and isinstance(currency, str)):
            currency = None
        return _number(value, currency, _babel_locale(locale))
    if key == "country":
        return country_name(value, locale)
    if key == "state":
        country = params.get("country")
        return state_name(country, value, locale) if isinstance(country, str) and value else value
    return _text(key, value, locale, words)


@lru_cache(maxsize=4096)
def _number(value: float, currency: str | None, language: str) -> str:
    """A number, or an amount of ``currency``, as ``language`` writes it (babel)."""
    from babel.numbers import format_currency, format_decimal

    if currency is not None:
        return str(format_currency(value, currency, locale=language))
    return str(format_decimal(value, locale=language))


@lru_cache(maxsize=4096)
def _text(key: str, value: str, locale: str, words: gettext.NullTranslations) -> str:
    """A text parameter: a term or a date written out, a known word translated, else as is.

    (``words`` is part of the cache key: adding a catalogue directory makes new ones.)
    """
    from csp_commerce.models.catalogue.translations import VALUE_ALIASES

    term = _TERM.match(value)
    if term is not None:
        return _term(int(term.group(1)), term.group(2), _babel_locale(locale))
    if _ISO_TIME.match(value):
        return _when(value, _babel_locale(locale))
    translated = words.pgettext(key, value)
    if translated == value and key in VALUE_ALIASES:
        translated = words.pgettext(VALUE_ALIASES[key], value)
    return translated


def _term(count: int, unit: str, language: str) -> str:
    from babel.units import format_unit

    kind = "duration-year" if unit == "Y" else "duration-month"
    return str(format_unit(count, kind, length="long", locale=language))


def _when(text: str, language: str) -> str:
    from datetime import datetime

    from babel.dates import format_date, format_datetime

    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if len(text) == 10:
        return str(format_date(moment.date(), "long", locale=language))
    return str(format_datetime(moment, "long", locale=language))


@lru_cache(maxsize=256)
def _babel_locale(locale: str) -> str:
    """``locale`` as babel knows it, or English when babel does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(locale.strip().replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        return "en"


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@lru_cache(maxsize=4096)
def country_name(code: str, locale: str = "en") -> str:
    """The country's name in ``locale`` (babel's CLDR data), or the code itself if unknown."""
    from babel import Locale, UnknownLocaleError

    try:
        names = Locale.parse(locale.replace("-", "_")).territories
    except (ValueError, UnknownLocaleError):
        names = Locale("en").territories
    return str(names.get(code.upper(), code))


@lru_cache(maxsize=4096)
def state_name(country: str, state: str, locale: str = "en") -> str:
    """The state's name (pycountry's ISO 3166-2 data, translated where a catalogue exists)."""
    import pycountry

    subdivision = pycountry.subdivisions.get(code=f"{country.upper()}-{state.upper()}")  # type: ignore[no-untyped-call]
    if subdivision is None:
        return state
    name = str(subdivision.name)
    language = locale.replace("-", "_").split("_")[0]
    if language == "en":
        return name
    try:
        catalogue = gettext.translation(
            "iso3166-2", pycountry.LOCALES_DIR, languages=[locale.replace("-", "_"), language]
        )
    except OSError:
        return name
    return catalogue.gettext(name)
