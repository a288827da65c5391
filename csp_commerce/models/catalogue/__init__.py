"""The catalogue of Problem codes and their messages, and their rendering per locale.

Every Problem type the library can produce is declared in this package, one module per area
(``address_codes``, ``limits_codes``, ...), and each module is imported here explicitly: the whole
catalogue is known as soon as this package is, whichever rule modules were imported or not. Rules
import the types they use from the area modules; :data:`LIBRARY_CODES` lists every code (the
README's table is checked against it).

Host plugins add their own types with :func:`define`; codes are unique across the library and its
plugins. Templates are English; :func:`render_problem` renders them in the storefront's language
with the gettext catalogues of ``translations`` (German and French ship with the library) and
babel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.models.catalogue import (
    address_codes,
    billing_options_codes,
    billing_plan_codes,
    coterm_codes,
    eligibility_codes,
    gdap_codes,
    limits_codes,
    mca_codes,
    passwords_codes,
    pricing_codes,
    promotions_codes,
    resellers_codes,
    subscriptions_codes,
    tenancy_codes,
    upgrades_codes,
    users_codes,
)
from csp_commerce.models.catalogue._core import ProblemType, _format, country_name, state_name
from csp_commerce.models.catalogue.translations import (
    add_catalogue_dir,
    available_languages,
    negotiate_locale,
    translation_for,
)

if TYPE_CHECKING:
    from csp_commerce.models.problem import Problem

__all__ = [
    "CATALOGUE",
    "LIBRARY_CODES",
    "LIBRARY_TYPES",
    "ProblemType",
    "add_catalogue_dir",
    "available_languages",
    "country_name",
    "define",
    "negotiate_locale",
    "render_problem",
    "state_name",
]

# The areas in the order the README lists them: checkout rules first, then operations.
_AREAS = (
    address_codes,
    eligibility_codes,
    billing_options_codes,
    limits_codes,
    mca_codes,
    resellers_codes,
    tenancy_codes,
    subscriptions_codes,
    billing_plan_codes,
    coterm_codes,
    promotions_codes,
    users_codes,
    pricing_codes,
    passwords_codes,
    gdap_codes,
    upgrades_codes,
)

#: Every Problem type of the library, area by area.
LIBRARY_TYPES: tuple[ProblemType, ...] = tuple(
    kind for area in _AREAS for kind in vars(area).values() if isinstance(kind, ProblemType)
)
#: Every Problem code of the library.
LIBRARY_CODES: tuple[str, ...] = tuple(kind.code for kind in LIBRARY_TYPES)

#: Every known Problem type by code: the library's, and those host plugins :func:`define`.
CATALOGUE: dict[str, ProblemType] = {}


def _add(kind: ProblemType) -> ProblemType:
    known = CATALOGUE.get(kind.code)
    if known is not None and (known.field, known.template) != (kind.field, kind.template):
        raise ValueError(f"problem code {kind.code!r} is already defined differently")
    return CATALOGUE.setdefault(kind.code, kind)


for _kind in LIBRARY_TYPES:
    if _kind.code in CATALOGUE:
        raise ValueError(f"problem code {_kind.code!r} is declared twice in the library")
    _add(_kind)
del _kind


def define(code: str, field: str | None, template: str) -> ProblemType:
    """Add a host plugin's problem type to the catalogue, so :func:`render_problem` knows it.

    The library's own codes are declared in this package, not through this function. Defining a
    code again with the same field and template returns the known type; with a different one, or
    a library code with a different one, raises ``ValueError``.
    """
    return _add(ProblemType(code, field, template))


def render_problem(problem: Problem, locale: str = "en") -> str:
    """The problem's whole sentence in ``locale`` (e.g. ``de``, ``de-DE``, ``fr_CA``).

    The template is translated by the catalogues for ``locale`` (the code is the gettext
    context; see :mod:`~csp_commerce.models.catalogue.translations`), and its parameters shown
    for it: country and state names, numbers, money, dates, terms and words such as billing
    cycles. A locale without a catalogue, or a code none translates, reads in English, parameters
    included. Codes not
    in the catalogue (a host plugin's own Problems it did not :func:`define`) keep their own
    message.
    """
    kind = CATALOGUE.get(problem.code)
    if kind is None:
        return problem.message
    template = translation_for(locale).pgettext(kind.code, kind.template)
    # A sentence no catalogue translates stays English, and so do its parameters: never an
    # English sentence around a Spanish country name.
    shown_for = locale if template != kind.template else "en"
    return _format(template, problem.params, shown_for)
