"""Seed data: the locale fields of ``countryvalidationrules`` for the sandbox.

Partner Center's reference (§5.2) gives one full sample, the United States: languages en/es,
cultures en-US/es-US, calling code 1. For every other country it is silent: the values below
are the country's usual cultures and ITU calling code. A country missing here answers
``en-US`` and no calling code (the stricter reading: nothing the sandbox cannot vouch for).
The VAT and tax-id fields come from the country rules the checkout applies too
(``csp_commerce/validation/tax_ids.py``), so that the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Locale:
    """One country's locale as ``countryvalidationrules`` spells it."""

    default_culture: str
    languages: tuple[str, ...]
    cultures: tuple[str, ...]
    calling_codes: tuple[str, ...]


FALLBACK = Locale("en-US", ("en",), ("en-US",), ())

LOCALES: dict[str, Locale] = {
    "US": Locale("en-US", ("en", "es"), ("en-US", "es-US"), ("1",)),
    "CA": Locale("en-CA", ("en", "fr"), ("en-CA", "fr-CA"), ("1",)),
    "GB": Locale("en-GB", ("en",), ("en-GB",), ("44",)),
    "IE": Locale("en-IE", ("en",), ("en-IE",), ("353",)),
    "DE": Locale("de-DE", ("de", "en"), ("de-DE", "en-US"), ("49",)),
    "AT": Locale("de-AT", ("de", "en"), ("de-AT", "en-US"), ("43",)),
    "CH": Locale("de-CH", ("de", "fr", "it", "en"), ("de-CH", "fr-CH", "it-CH", "en-US"), ("41",)),
    "FR": Locale("fr-FR", ("fr", "en"), ("fr-FR", "en-US"), ("33",)),
    "BE": Locale("nl-BE", ("nl", "fr", "de", "en"), ("nl-BE", "fr-BE", "de-BE", "en-US"), ("32",)),
    "NL": Locale("nl-NL", ("nl", "en"), ("nl-NL", "en-US"), ("31",)),
    "LU": Locale("fr-LU", ("fr", "de", "en"), ("fr-LU", "de-LU", "en-US"), ("352",)),
    "IT": Locale("it-IT", ("it", "en"), ("it-IT", "en-US"), ("39",)),
    "ES": Locale("es-ES", ("es", "en"), ("es-ES", "en-US"), ("34",)),
    "PT": Locale("pt-PT", ("pt", "en"), ("pt-PT", "en-US"), ("351",)),
    "DK": Locale("da-DK", ("da", "en"), ("da-DK", "en-US"), ("45",)),
    "SE": Locale("sv-SE", ("sv", "en"), ("sv-SE", "en-US"), ("46",)),
    "FI": Locale("fi-FI", ("fi", "sv", "en"), ("fi-FI", "sv-FI", "en-US"), ("358",)),
    "NO": Locale("nb-NO", ("nb", "en"), ("nb-NO", "en-US"), ("47",)),
    "PL": Locale("pl-PL", ("pl", "en"), ("pl-PL", "en-US"), ("48",)),
    "CZ": Locale("cs-CZ", ("cs", "en"), ("cs-CZ", "en-US"), ("420",)),
    "AU": Locale("en-AU", ("en",), ("en-AU",), ("61",)),
    "NZ": Locale("en-NZ", ("en",), ("en-NZ",), ("64",)),
    "JP": Locale("ja-JP", ("ja", "en"), ("ja-JP", "en-US"), ("81",)),
    "IN": Locale("en-IN", ("en", "hi"), ("en-IN", "hi-IN"), ("91",)),
    "BR": Locale("pt-BR", ("pt", "en"), ("pt-BR", "en-US"), ("55",)),
    "MX": Locale("es-MX", ("es", "en"), ("es-MX", "en-US"), ("52",)),
    "SG": Locale("en-SG", ("en", "zh"), ("en-SG", "zh-SG"), ("65",)),
    "ZA": Locale("en-ZA", ("en",), ("en-ZA",), ("27",)),
}


def locale_of(country: str) -> Locale:
    """The locale of ``country`` (ISO alpha-2, any case)."""
    return LOCALES.get(country.upper(), FALLBACK)
