"""Seed data: the locale and tax-id fields of ``countryvalidationrules`` for the sandbox.

Partner Center's reference (§5.2) gives one full sample, the United States: languages en/es,
cultures en-US/es-US, calling code 1, no VAT id, tax-id format ``US######``. For every other
country it is silent: the values below are the country's usual cultures and ITU calling code,
and for EU/EEA and other VAT countries the published VAT-number format of the national tax
authority (VIES formats for the EU). A country missing here answers ``en-US``, no VAT or tax id,
and no calling code (the stricter reading: nothing the sandbox cannot vouch for).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Locale:
    """One country's locale and tax-id rules as ``countryvalidationrules`` spells them."""

    default_culture: str
    languages: tuple[str, ...]
    cultures: tuple[str, ...]
    calling_codes: tuple[str, ...]
    vat_id_regex: str | None = None  # set: isVatIdSupported
    tax_id_format: str | None = None  # set: isTaxIdSupported
    tax_id_sample: str | None = None
    tax_id_optional: bool = True


FALLBACK = Locale("en-US", ("en",), ("en-US",), ())

LOCALES: dict[str, Locale] = {
    # The reference's US sample: no VAT id; a tax id format is given, but whether it is
    # "supported" is not stated: the sandbox says supported and optional.
    "US": Locale("en-US", ("en", "es"), ("en-US", "es-US"), ("1",), None, "US######", "US123456"),
    "CA": Locale("en-CA", ("en", "fr"), ("en-CA", "fr-CA"), ("1",), None, "#########", "123456789"),
    "GB": Locale(
        "en-GB", ("en",), ("en-GB",), ("44",), r"^GB(?:[0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3})$"
    ),
    "IE": Locale(
        "en-IE",
        ("en",),
        ("en-IE",),
        ("353",),
        r"^IE(?:[0-9]{7}[A-W][A-I]?|[0-9][A-Z+*][0-9]{5}[A-W])$",
    ),
    "DE": Locale("de-DE", ("de", "en"), ("de-DE", "en-US"), ("49",), r"^DE[0-9]{9}$"),
    "AT": Locale("de-AT", ("de", "en"), ("de-AT", "en-US"), ("43",), r"^ATU[0-9]{8}$"),
    "CH": Locale(
        "de-CH",
        ("de", "fr", "it", "en"),
        ("de-CH", "fr-CH", "it-CH", "en-US"),
        ("41",),
        r"^CHE[0-9]{9}(?:MWST|TVA|IVA)?$",
    ),
    "FR": Locale(
        "fr-FR", ("fr", "en"), ("fr-FR", "en-US"), ("33",), r"^FR[0-9A-HJ-NP-Z]{2}[0-9]{9}$"
    ),
    "BE": Locale(
        "nl-BE",
        ("nl", "fr", "de", "en"),
        ("nl-BE", "fr-BE", "de-BE", "en-US"),
        ("32",),
        r"^BE[01][0-9]{9}$",
    ),
    "NL": Locale("nl-NL", ("nl", "en"), ("nl-NL", "en-US"), ("31",), r"^NL[0-9]{9}B[0-9]{2}$"),
    "LU": Locale(
        "fr-LU", ("fr", "de", "en"), ("fr-LU", "de-LU", "en-US"), ("352",), r"^LU[0-9]{8}$"
    ),
    "IT": Locale("it-IT", ("it", "en"), ("it-IT", "en-US"), ("39",), r"^IT[0-9]{11}$"),
    "ES": Locale(
        "es-ES", ("es", "en"), ("es-ES", "en-US"), ("34",), r"^ES[0-9A-Z][0-9]{7}[0-9A-Z]$"
    ),
    "PT": Locale("pt-PT", ("pt", "en"), ("pt-PT", "en-US"), ("351",), r"^PT[0-9]{9}$"),
    "DK": Locale("da-DK", ("da", "en"), ("da-DK", "en-US"), ("45",), r"^DK[0-9]{8}$"),
    "SE": Locale("sv-SE", ("sv", "en"), ("sv-SE", "en-US"), ("46",), r"^SE[0-9]{10}01$"),
    "FI": Locale(
        "fi-FI", ("fi", "sv", "en"), ("fi-FI", "sv-FI", "en-US"), ("358",), r"^FI[0-9]{8}$"
    ),
    "NO": Locale("nb-NO", ("nb", "en"), ("nb-NO", "en-US"), ("47",), r"^NO[0-9]{9}MVA$"),
    "PL": Locale("pl-PL", ("pl", "en"), ("pl-PL", "en-US"), ("48",), r"^PL[0-9]{10}$"),
    "CZ": Locale("cs-CZ", ("cs", "en"), ("cs-CZ", "en-US"), ("420",), r"^CZ[0-9]{8,10}$"),
    "AU": Locale("en-AU", ("en",), ("en-AU",), ("61",), None, "###########", "51824753556"),
    "NZ": Locale("en-NZ", ("en",), ("en-NZ",), ("64",), None, "########", "49091850"),
    "JP": Locale(
        "ja-JP", ("ja", "en"), ("ja-JP", "en-US"), ("81",), None, "T#############", "T1234567890123"
    ),
    "IN": Locale(
        "en-IN",
        ("en", "hi"),
        ("en-IN", "hi-IN"),
        ("91",),
        None,
        "##AAAAA####A#Z#",
        "27AAPFU0939F1ZV",
        False,
    ),
    "BR": Locale(
        "pt-BR",
        ("pt", "en"),
        ("pt-BR", "en-US"),
        ("55",),
        None,
        "##.###.###/####-##",
        "11.222.333/0001-81",
        False,
    ),
    "MX": Locale(
        "es-MX", ("es", "en"), ("es-MX", "en-US"), ("52",), None, "AAA######AAA", "ABC680524P76"
    ),
    "SG": Locale(
        "en-SG", ("en", "zh"), ("en-SG", "zh-SG"), ("65",), None, "#########A", "200312345A"
    ),
    "ZA": Locale("en-ZA", ("en",), ("en-ZA",), ("27",), r"^4[0-9]{9}$"),
}


def locale_of(country: str) -> Locale:
    """The locale and tax rules of ``country`` (ISO alpha-2, any case)."""
    return LOCALES.get(country.upper(), FALLBACK)
