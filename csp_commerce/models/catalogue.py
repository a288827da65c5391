"""The catalogue of Problem codes and their messages, and their rendering per locale.

Every rule defines its problem types here through :func:`define` at import time, so the whole
catalogue can be listed (``csp-commerce problems``, the README's table) and every code is unique.
Templates are English; the names of countries and states inside them are rendered for the
storefront's locale with babel and pycountry.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
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
        """Make a Problem of this type; ``field`` overrides the default field."""
        return Problem(
            code=self.code,
            field=field if field is not None else self.field,
            message=_format(self.template, params, "en"),
            params=params,
        )


CATALOGUE: dict[str, ProblemType] = {}


def define(code: str, field: str | None, template: str) -> ProblemType:
    """Register a problem type. Codes are unique across the library and its plugins."""
    names = {name for _, name, _, _ in _FORMATTER.parse(template) if name}
    if any(not name.isidentifier() for name in names):
        raise ValueError(f"template of {code!r} may only use plain {{name}} fields")
    known = CATALOGUE.get(code)
    if known is not None and (known.field, known.template) != (field, template):
        raise ValueError(f"problem code {code!r} is already defined differently")
    CATALOGUE[code] = ProblemType(code, field, template)
    return CATALOGUE[code]


def render_problem(problem: Problem, locale: str = "en") -> str:
    """The problem's message for ``locale`` (e.g. ``de_DE``); country and state names localised.

    Codes not in the catalogue (a host plugin's own Problems) keep their own message.
    """
    kind = CATALOGUE.get(problem.code)
    if kind is None:
        return problem.message
    return _format(kind.template, problem.params, locale)


def _format(template: str, params: Mapping[str, ParamValue], locale: str) -> str:
    shown = {key: _show(value) for key, value in params.items()}
    country = params.get("country")
    if isinstance(country, str):
        shown["country"] = country_name(country, locale)
        state = params.get("state")
        if isinstance(state, str) and state:
            shown["state"] = state_name(country, state, locale)
    return template.format_map(_Missing(shown))


def _show(value: ParamValue) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    return "" if value is None else str(value)


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
    import gettext

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
