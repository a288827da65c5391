"""VAT numbers and tax ids per country, as Partner Center's ``countryvalidationrules`` give them.

Partner Center publishes these rules per country (``isVatIdSupported``, ``vatIdRegex``,
``isTaxIdSupported``, ``isTaxIdOptional``, ``taxIdFormat``, ``taxIdSample``) but only the US
sample is public (reference §5.2: no VAT id, tax-id format ``US######``). The offline rules
below, which the sandbox also serves, are the project's: for the EU/EEA, the UK, Switzerland,
Norway and South Africa the VAT-number format of the national tax authority (VIES formats for
the EU); elsewhere the shape of the national business tax id. A live ``countryvalidationrules``
answer (``csp_country_rules`` hook) replaces them.

``taxIdFormat`` is read as: ``#`` a digit, ``A`` a letter, ``*`` a letter or digit, any other
character itself (the punctuation ``.``, ``-``, ``/`` and spaces may be left out). Partner
Center documents no grammar for it: this reading is unconfirmed and lives only in
:func:`tax_id_pattern`.

Every offline tax id is optional (``isTaxIdOptional`` true): which countries Partner Center
requires one in is not public, and an order is not refused on a guess. A tax id is required
only where live rules say ``isTaxIdOptional: false``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class TaxRule:
    """One country's VAT and tax-id rule."""

    vat_id_regex: str | None = None  # set: isVatIdSupported
    tax_id_format: str | None = None  # set: isTaxIdSupported
    tax_id_sample: str | None = None
    tax_id_optional: bool = True


TAX_RULES: dict[str, TaxRule] = {
    # The reference's US sample: no VAT id, tax-id format US######; whether it is optional is
    # not stated: optional here.
    "US": TaxRule(None, "US######", "US123456"),
    "CA": TaxRule(None, "#########", "123456789"),
    "GB": TaxRule(r"^GB(?:[0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3})$"),
    "IE": TaxRule(r"^IE(?:[0-9]{7}[A-W][A-I]?|[0-9][A-Z+*][0-9]{5}[A-W])$"),
    "DE": TaxRule(r"^DE[0-9]{9}$"),
    "AT": TaxRule(r"^ATU[0-9]{8}$"),
    "CH": TaxRule(r"^CHE[0-9]{9}(?:MWST|TVA|IVA)?$"),
    "FR": TaxRule(r"^FR[0-9A-HJ-NP-Z]{2}[0-9]{9}$"),
    "BE": TaxRule(r"^BE[01][0-9]{9}$"),
    "NL": TaxRule(r"^NL[0-9]{9}B[0-9]{2}$"),
    "LU": TaxRule(r"^LU[0-9]{8}$"),
    "IT": TaxRule(r"^IT[0-9]{11}$"),
    "ES": TaxRule(r"^ES[0-9A-Z][0-9]{7}[0-9A-Z]$"),
    "PT": TaxRule(r"^PT[0-9]{9}$"),
    "DK": TaxRule(r"^DK[0-9]{8}$"),
    "SE": TaxRule(r"^SE[0-9]{10}01$"),
    "FI": TaxRule(r"^FI[0-9]{8}$"),
    "NO": TaxRule(r"^NO[0-9]{9}MVA$"),
    "PL": TaxRule(r"^PL[0-9]{10}$"),
    "CZ": TaxRule(r"^CZ[0-9]{8,10}$"),
    "ZA": TaxRule(r"^4[0-9]{9}$"),
    # Australian Business Number, New Zealand GST number, Japan's invoice registration number.
    "AU": TaxRule(None, "###########", "51824753556"),
    "NZ": TaxRule(None, "########", "49091850"),
    "JP": TaxRule(None, "T#############", "T1234567890123"),
    # India's GSTIN and Brazil's CNPJ.
    "IN": TaxRule(None, "##AAAAA####A*Z*", "27AAPFU0939F1ZV"),
    "BR": TaxRule(None, "##.###.###/####-##", "11.222.333/0001-81"),
    # Mexico's RFC for a company (three letters, the date, a three-character homoclave), and
    # Singapore's UEN.
    "MX": TaxRule(None, "AAA######***", "ABC680524P76"),
    "SG": TaxRule(None, "#########A", "200312345A"),
}

_PUNCTUATION = frozenset(".-/ ")
_CLASSES = {"#": "[0-9]", "A": "[A-Z]", "*": "[0-9A-Z]"}


@lru_cache(maxsize=64)
def tax_id_pattern(tax_id_format: str) -> re.Pattern[str]:
    """``taxIdFormat`` as a pattern for ``fullmatch`` on :func:`normalize_tax_id`'s output."""
    parts = []
    for char in tax_id_format.upper():
        if char in _CLASSES:
            parts.append(_CLASSES[char])
        elif char in _PUNCTUATION:
            parts.append(re.escape(char) + "?")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.ASCII)


def normalize_tax_id(value: str) -> str:
    """A tax id as matched: trimmed, upper-cased, inner whitespace removed."""
    return "".join(value.split()).upper()


def normalize_vat_id(value: str) -> str:
    """A VAT number as matched: upper-cased, without whitespace, dots or hyphens
    (``DE 123.456.789`` -> ``DE123456789``)."""
    return "".join(value.split()).replace(".", "").replace("-", "").upper()
