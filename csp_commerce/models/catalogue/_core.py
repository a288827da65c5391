"""A kind of Problem (:class:`ProblemType`) and how its message is rendered per locale.

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

    def __post_init__(self) -> None:
        names = {name for _, name, _, _ in _FORMATTER.parse(self.template) if name}
        if any(not name.isidentifier() for name in names):
            raise ValueError(f"template of {self.code!r} may only use plain {{name}} fields")


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
