"""Problem messages in the storefront's language: gettext catalogues, found on a search path.

The library's catalogues (domain ``csp_commerce``) live in ``csp_commerce/locale/<language>/
LC_MESSAGES/csp_commerce.mo``; each message is the English template of a Problem type, with the
Problem's code as its gettext context (``msgctxt``), so one English sentence may read differently
for two codes. ``scripts/refresh_translations.py`` extracts the templates with babel, updates the
``.po`` files and compiles the ``.mo`` files the wheel ships.

A host adds a language, or overrides a library sentence, or translates its own plugin's codes,
by putting a catalogue of the same domain in a directory of its own and calling
:func:`add_catalogue_dir` (or listing the directory in the ``CSP_COMMERCE_LOCALE_PATH``
environment variable, separated by ``os.pathsep``; read when a locale is first rendered).
Host directories are searched before the library's; a message no catalogue translates stays
English.

Parameters that are words (a billing cycle, a status, a segment...) are translated too, with the
parameter's name as context: see :data:`VALUE_TEXTS`.
"""

from __future__ import annotations

import gettext
import os
import re
from functools import lru_cache
from pathlib import Path

#: The gettext domain of the library's catalogues (and of a host's added ones).
DOMAIN = "csp_commerce"
#: Where the library's own catalogues are.
LIBRARY_LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
#: The environment variable naming more catalogue directories (``os.pathsep``-separated).
LOCALE_PATH_VARIABLE = "CSP_COMMERCE_LOCALE_PATH"

_host_dirs: list[Path] = []


def value(context: str, text: str) -> tuple[str, str]:
    """Mark ``text``, a word a Problem parameter named ``context`` may hold, for translation.

    (The extraction script finds these calls the way it finds ``ProblemType`` templates.)
    """
    return context, text


#: The words Problem parameters carry that a sentence in another language must not keep in
#: English, by parameter name. Numbers, dates, money, terms, countries and states are
#: formatted by babel instead; names, ids and Partner Center's own reasons are shown as given.
VALUE_TEXTS: tuple[tuple[str, str], ...] = (
    value("billing_cycle", "monthly"),
    value("billing_cycle", "annual"),
    value("billing_cycle", "triennial"),
    value("billing_cycle", "one_time"),
    value("status", "active"),
    value("status", "suspended"),
    value("status", "deleted"),
    value("status", "pending"),
    value("status", "expired"),
    value("status", "disabled"),
    value("status", "unknown"),
    value("segment", "commercial"),
    value("segment", "education"),
    value("segment", "government"),
    value("segment", "nonprofit"),
    value("qualification", "Education"),
    value("qualification", "Nonprofit"),
    value("qualification", "GovernmentCommunityCloud"),
    value("qualification", "StateOwnedEntity"),
    value("character_class", "uppercase"),
    value("character_class", "lowercase"),
    value("character_class", "digit"),
    value("character_class", "symbol"),
    value("cloud", "global"),
    value("cloud", "china"),
    value("cloud", "usgov"),
    # the field a name rule names (a CSV file's own column headers stay as the file needs them)
    value("column", "first name"),
    value("column", "last name"),
    value("column", "display name"),
    # product kinds (models.offer.ProductKind): the refund window and extended term differ
    value("kind", "licence_based"),
    value("kind", "software_subscription"),
    value("kind", "perpetual_software"),
    value("kind", "marketplace_saas"),
    value("kind", "azure"),
    value("until", "its refund window"),
    value("until", "its window"),
    value("allowed", "a base offer"),
    value("reason", "no reason given"),
)

#: Parameters whose words share another parameter's translations.
VALUE_ALIASES: dict[str, str] = {
    "subscription_cycle": "billing_cycle",
    "offered": "billing_cycle",
    "allowed": "billing_cycle",
    "promotion_billing_cycle": "billing_cycle",
}


def add_catalogue_dir(path: str | os.PathLike[str]) -> None:
    """Search ``path`` (laid out ``<language>/LC_MESSAGES/csp_commerce.mo``) for catalogues,
    before the library's own and before directories added earlier."""
    _host_dirs.insert(0, Path(path))
    translation_for.cache_clear()


def remove_catalogue_dir(path: str | os.PathLike[str]) -> None:
    """Stop searching ``path`` (added with :func:`add_catalogue_dir`)."""
    _host_dirs.remove(Path(path))
    translation_for.cache_clear()


def catalogue_dirs() -> list[Path]:
    """The directories searched for catalogues, first match first."""
    from_env = [Path(p) for p in os.environ.get(LOCALE_PATH_VARIABLE, "").split(os.pathsep) if p]
    return [*_host_dirs, *from_env, LIBRARY_LOCALE_DIR]


def available_languages() -> list[str]:
    """English, and every language some catalogue directory has a catalogue for (sorted)."""
    found = {
        mo.parent.parent.name
        for directory in catalogue_dirs()
        if directory.is_dir()
        for mo in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")
    }
    return ["en", *sorted(found - {"en"})]


def normalize(locale: str) -> str:
    """``de-DE`` → ``de_DE``: the form babel and gettext expect."""
    return locale.strip().replace("-", "_")


#: A locale name: letters, then subtags (``de``, ``de_AT``, ``zh-Hant-TW``); nothing else is
#: ever looked up on disk (a name from a request cannot walk out of the catalogue directories).
_LOCALE_NAME = re.compile(r"^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$")


@lru_cache(maxsize=256)
def translation_for(locale: str) -> gettext.NullTranslations:
    """Every catalogue for ``locale`` (``de_AT`` falls back to ``de``), chained in search
    order, ending in English (the templates themselves). A malformed name is English."""
    if not _LOCALE_NAME.match(locale.strip()):
        return gettext.NullTranslations()
    name = normalize(locale)
    languages = list(dict.fromkeys([name, name.split("_")[0]]))
    chain: gettext.NullTranslations = gettext.NullTranslations()
    found: list[gettext.NullTranslations] = []
    for directory in catalogue_dirs():
        try:
            found.append(gettext.translation(DOMAIN, directory, languages=languages))
        except OSError:
            continue
    for catalogue in reversed(found):
        catalogue.add_fallback(chain)
        chain = catalogue
    return chain


#: One item of an Accept-Language header: a language tag (or ``*``) and its quality.
_ACCEPT_ITEM = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$"
)


def negotiate_locale(
    accept_language: str | None,
    available: list[str] | None = None,
    default: str = "en",
) -> str:
    """The best of ``available`` (default: :func:`available_languages`) for an HTTP
    ``Accept-Language`` header, by its quality values, with babel's ``Locale.negotiate``
    (``de-CH`` is served ``de``); ``default`` when none fits or the header is missing."""
    from babel import Locale

    offered = available if available is not None else available_languages()
    wanted: list[tuple[float, int, str]] = []
    for index, item in enumerate((accept_language or "").split(",")):
        match = _ACCEPT_ITEM.match(item)
        if match is None or match.group(1) == "*":
            continue
        try:
            quality = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        if quality > 0:
            wanted.append((-quality, index, normalize(match.group(1))))
    preferred = [name for _, _, name in sorted(wanted)]
    chosen = Locale.negotiate(preferred, [normalize(name) for name in offered])
    return str(chosen) if chosen is not None else default
