"""Allocated postal-code ranges per country, for ``scripts/compile_postal_data.py``.

Source: the PyPI package ``countrystatecity-postal-codes`` (ODbL-1.0, from the
countries-states-cities-database project, itself built on GeoNames' postal-code dumps): one list
of the postal codes in use per country. Its files are read directly
(``countrystatecity_postal_codes/data/by-country/{CC}/postcodes.json``), not through its API.

What is compiled is deliberately coarse, because the lists hold delivery codes but often lack
the codes of PO boxes and large customers (Germany's 11011 for the Bundestag is absent, for
example): per country, the **key** of a code (its first two digits, the first three for the
United States, the outward area letters for the United Kingdom, the first two characters for
Canada) and the **span** of keys in use, from the lowest to the highest. A code whose key is
outside the span, or all zeros, is refused as unallocated. Inside the span only the gaps below,
each stated by the country's post, are refused; every other key inside the span is accepted.
``SUPPLEMENTS`` adds keys the list lacks but the post uses.

Countries: the 42 largest Microsoft CSP markets for which the source has a list. Microsoft
publishes no per-country count of CSP customers; the list is the project's choice of the
largest economies Microsoft sells through partners. The source has no list for IE, SG, KR,
IL, CL or SA, and Peru is left out (its old district codes, LIMA 1 and up, share digits
with its 5-digit codes); AE and HK have no postal codes.
"""

from __future__ import annotations

import json
import re
from importlib.resources import files
from typing import Any

#: Country -> (key kind, key length). ``digits``: the first n digits of the code (letters,
#: spaces and hyphens skipped: Argentina's C1070AAM is 10); ``chars``: the first n characters
#: (spaces and hyphens skipped); ``letters``: the code's leading letters (GB's area).
_TWO_DIGITS_TEXT = """
    AR AT AU BE BR CH CN CO CZ DE DK ES FI FR GR HR HU ID IN IT JP LU MX MY NL NO NZ PH PL PT
    RO SE SI SK TH TR TW UA ZA
"""
COUNTRIES: dict[str, tuple[str, int]] = {
    **dict.fromkeys(_TWO_DIGITS_TEXT.split(), ("digits", 2)),
    "US": ("digits", 3),
    "CA": ("chars", 2),
    "GB": ("letters", 0),
}

#: Keys the source lacks but the country's post uses (accepted). One reason per entry.
SUPPLEMENTS: dict[str, tuple[str, ...]] = {
    # USPS: 005 is Holtsville NY (the IRS, 00501); the source starts at 006 (Puerto Rico).
    "US": ("005",),
    # La Poste: overseas departments 971-976 and collectivities 975, 977, 978, 986-988 use
    # French codes, and so does Monaco (980); the source lists metropolitan France only.
    "FR": ("97", "98"),
    # PostNord: special codes for large customers below 1000 (0800 Høje-Taastrup, 0900 and 0999
    # København C).
    "DK": ("08", "09"),
    # Post Luxembourg: the city of Luxembourg's codes start at L-1009.
    "LU": ("10",),
    # Royal Mail: BF (British Forces Post Office), BX (non-geographic codes) and GIR (GIR 0AA,
    # the former Girobank) are postcodes in use without a geographic area.
    "GB": ("BF", "BX", "GIR"),
}

_US_UNUSED_TEXT = """
    213 269 343 345 348 353 419 428 429 517 518 519 529 533 536 552 568 578 579 589 621 632 642
    643 659 663 682 694 695 696 697 698 699 702 709 715 732 742 771 817 818 819 839 848 849 854
    858 861 862 866 867 868 869 876 886 887 888 892 896 899 909 929 987
"""

#: Keys inside a country's span that its post has never allocated (refused), stated by the
#: post. A key listed here and present in the source is an error (the compile stops).
GAPS: dict[str, tuple[str, ...]] = {
    # Deutsche Post's Leitregionen: 01-99 without 05, 43 and 62.
    "DE": ("05", "43", "62"),
    # Australia Post: 0200-0299 is the ACT, 0800-0999 the Northern Territory; 03-07 are unused.
    "AU": ("03", "04", "05", "06", "07"),
    # USPS: the three-digit ZIP prefixes not in use (the 3-digit ZIP Code prefix matrix, L002).
    # Unique prefixes of the IRS, the military (090-098 AE, 340 AA, 962-966 AP) or large
    # mailers, absent from the source, are not listed and so stay accepted.
    "US": tuple(_US_UNUSED_TEXT.split()),
}

SOURCE_PACKAGE = "countrystatecity-postal-codes"


def key_of(code: str, kind: str, length: int) -> str:
    """The range key of a normalised postal code (as the validator computes it)."""
    if kind == "letters":
        match = re.match(r"[A-Z]+", code)
        return match.group(0) if match else ""
    if kind == "digits":
        return "".join(c for c in code if c.isdigit())[:length]
    return "".join(c for c in code if c not in " -")[:length]


def allocated(country: str) -> dict[str, Any]:
    """``{"range_key": "digits:2", "allocated": [[lo, hi], ...]}`` for ``country``, or {}."""
    if country not in COUNTRIES:
        return {}
    kind, length = COUNTRIES[country]
    codes = _codes(country)
    if any(not code.strip("0 -") for code in codes):
        raise SystemExit(f"{country}: the source lists an all-zero code")
    keys = {key_of(code, kind, length) for code in codes} | set(SUPPLEMENTS.get(country, ()))
    keys.discard("")
    gaps = set(GAPS.get(country, ()))
    if gaps & keys:
        raise SystemExit(f"{country}: gaps {sorted(gaps & keys)} are in the source's codes")
    if kind == "digits":
        # The span from the lowest key to the highest, less the posts' stated gaps.
        numbers = sorted(int(key) for key in keys)
        span = [f"{n:0{length}d}" for n in range(numbers[0], numbers[-1] + 1)]
        keys = {key for key in span if key not in gaps}
    ranges: list[list[str]] = []
    for key in sorted(keys):
        if (
            ranges
            and kind == "digits"
            and int(key) == int(ranges[-1][1]) + 1
            and len(key) == len(ranges[-1][1])
        ):
            ranges[-1][1] = key
        else:
            ranges.append([key, key])
    return {"range_key": f"{kind}:{length}", "allocated": ranges}


def source_version() -> str:
    """The source package's version, for the JSON's ``source`` line."""
    from importlib.metadata import version

    return f"{SOURCE_PACKAGE} {version(SOURCE_PACKAGE)}"


def _codes(country: str) -> list[str]:
    path = files("countrystatecity_postal_codes").joinpath("data", "by-country", country)
    records = json.loads(path.joinpath("postcodes.json").read_text("utf-8"))
    return [" ".join(str(record["code"]).upper().split()) for record in records]
