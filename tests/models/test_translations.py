"""Problems in the storefront's language: the shipped catalogues, rendering, negotiation, and
languages a host adds."""

from __future__ import annotations

import gettext
import io
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from csp_commerce import Problem, add_catalogue_dir, available_languages, negotiate_locale
from csp_commerce import render_problem as render
from csp_commerce.models.catalogue import CATALOGUE, LIBRARY_TYPES, define
from csp_commerce.models.catalogue import address_codes as address
from csp_commerce.models.catalogue import billing_options_codes as billing
from csp_commerce.models.catalogue import eligibility_codes as eligibility
from csp_commerce.models.catalogue import limits_codes as limits
from csp_commerce.models.catalogue import subscriptions_codes as subscriptions
from csp_commerce.models.catalogue.translations import (
    DOMAIN,
    LIBRARY_LOCALE_DIR,
    LOCALE_PATH_VARIABLE,
    VALUE_TEXTS,
    remove_catalogue_dir,
    translation_for,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("de", "fr")


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def catalogue_faults(catalogue: gettext.NullTranslations) -> list[str]:
    """Every library code ``catalogue`` leaves untranslated, or whose translation drops,
    renames or adds a parameter; every parameter word it leaves untranslated."""
    faults = []
    for kind in LIBRARY_TYPES:
        translated = catalogue.pgettext(kind.code, kind.template)
        if translated == kind.template:
            faults.append(f"{kind.code}: not translated")
        elif fields(translated) != fields(kind.template):
            faults.append(
                f"{kind.code}: parameters {sorted(fields(translated))} "
                f"!= {sorted(fields(kind.template))}"
            )
    for context, word in VALUE_TEXTS:
        if catalogue.pgettext(context, word) == word:
            faults.append(f"{context}={word!r}: not translated")
    return faults


def compiled(language: str, messages: dict[tuple[str, str], str]) -> bytes:
    catalog = Catalog(locale=language, domain=DOMAIN)
    for (context, msgid), text in messages.items():
        catalog.add(msgid, text, context=context)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def write_catalogue(root: Path, language: str, messages: dict[tuple[str, str], str]) -> Path:
    target = root / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    target.parent.mkdir(parents=True)
    target.write_bytes(compiled(language, messages))
    return root


# -- the shipped catalogues ---------------------------------------------------------------------


@pytest.mark.parametrize("language", SHIPPED)
def test_every_library_code_and_word_is_translated_with_its_parameters(language: str) -> None:
    mo = LIBRARY_LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with mo.open("rb") as source:
        catalogue = gettext.GNUTranslations(source)
    assert catalogue_faults(catalogue) == []


def test_the_check_fails_for_a_missing_translation_or_a_dropped_parameter() -> None:
    kind = address.POSTAL_CODE_STATE_MISMATCH
    good = {(k.code, k.template): f"[{k.template}]" for k in LIBRARY_TYPES}
    good |= {(context, word): f"[{word}]" for context, word in VALUE_TEXTS}
    assert catalogue_faults(gettext.GNUTranslations(io.BytesIO(compiled("de", good)))) == []
    missing = {key: text for key, text in good.items() if key[0] != kind.code}
    dropped = good | {(kind.code, kind.template): "Die Postleitzahl liegt nicht in {state}."}
    renamed = good | {(kind.code, kind.template): "{wert} liegt nicht in {state}."}
    for broken, fault in (
        (missing, "not translated"),
        (dropped, "parameters ['state']"),
        (renamed, "parameters ['state', 'wert']"),
    ):
        faults = catalogue_faults(gettext.GNUTranslations(io.BytesIO(compiled("de", broken))))
        assert len(faults) == 1
        assert faults[0].startswith(f"{kind.code}: {fault}")


def test_the_catalogues_are_extracted_and_compiled_from_the_current_templates() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "refresh_translations.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_template_holds_every_library_code() -> None:
    from babel.messages.pofile import read_po

    with (LIBRARY_LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as source:
        template = read_po(source)
    extracted = {(message.context, message.id) for message in template if message.id}
    assert {(kind.code, kind.template) for kind in LIBRARY_TYPES} <= extracted
    assert set(VALUE_TEXTS) <= extracted


# -- rendering ----------------------------------------------------------------------------------


def test_german_is_german_through_and_through() -> None:
    problem = address.POSTAL_CODE_STATE_MISMATCH(value="10001", country="US", state="CA")
    assert render(problem, "de") == (
        "Die Postleitzahl „10001“ liegt nicht in Kalifornien: Prüfen Sie die Postleitzahl, oder "
        "wählen Sie das Bundesland, den Bundesstaat oder die Provinz, zu dem sie gehört."
    )
    assert problem.message.startswith("The postal code '10001' is not in California:")


def test_words_terms_numbers_and_dates_follow_the_locale() -> None:
    cycle = billing.TERM_TOO_SHORT(
        billing_cycle="annual", term_duration="P1M", allowed=["P1Y", "P3Y"]
    )
    assert render(cycle, "de_DE") == (
        "Bei der Abrechnung „jährlich“ muss die Laufzeit mindestens einen Abrechnungszeitraum "
        "umfassen; 1 Monat ist zu kurz. Wählen Sie eine der folgenden: 1 Jahr, 3 Jahre."
    )
    assert render(cycle, "fr").startswith("Un abonnement facturé annuellement exige")
    assert render(cycle, "fr").replace("\xa0", " ").endswith(": 1 an, 3 ans.")
    cap = limits.SEAT_CAP(cap=2500, offer="E3", existing=2400, ordered=200, remaining=100)
    assert "höchstens 2.500 Lizenzen" in render(cap, "de")
    assert "au plus 2\u202f500 licences" in render(cap, "fr")
    assert "at most 2,500 seats" in render(cap, "en")
    closed = subscriptions.REDUCTION_WINDOW_CLOSED(
        subscription_id="s-1", until="2026-12-01T10:00:00+00:00"
    )
    assert "bis 1. Dezember 2026" in render(closed, "de")
    window = subscriptions.CANCELLATION_WINDOW_CLOSED(subscription_id="s-1", until="its window")
    assert "bis zum Ende seiner Kündigungsfrist gekündigt" in render(window, "de")
    qualified = eligibility.NOT_QUALIFIED(
        offer="A1", offer_id="o", segment="nonprofit", qualification="Nonprofit"
    )
    german = render(qualified, "de")
    assert "Segments „Gemeinnützige Organisationen“" in german
    assert "Qualifizierung „Gemeinnützige Organisation“" in german


def test_money_parameters_are_formatted_in_their_currency(tmp_path: Path) -> None:
    kind = define("host.over_budget", None, "The order costs {amount}, over {limit_amount}.")
    german = {(kind.code, kind.template): "Die Bestellung kostet {amount}, über {limit_amount}."}
    add_catalogue_dir(write_catalogue(tmp_path, "de", german))
    try:
        over = kind(amount=1234.5, limit_amount=1000, currency="EUR")
        assert render(over, "de") == "Die Bestellung kostet 1.234,50\xa0€, über 1.000,00\xa0€."
        assert render(over, "en_US") == "The order costs €1,234.50, over €1,000.00."
        assert render(over.model_copy(update={"params": {"amount": 5}}), "de") == (
            "Die Bestellung kostet 5, über {limit_amount}."  # no currency: a plain number
        )
    finally:
        remove_catalogue_dir(tmp_path)
        CATALOGUE.pop("host.over_budget", None)


@pytest.mark.parametrize(
    "locale", ["xx", "tlh", "", "en_GB", "zz-ZZ", "../de", "de/../../fr", "de\x00", "<b>"]
)
def test_an_unknown_locale_reads_in_english(locale: str) -> None:
    problem = address.CITY_REQUIRED(country="US")
    assert (
        render(problem, locale) == "Enter the city: it is required for addresses in United States."
    )


def test_a_regional_locale_falls_back_to_its_language() -> None:
    problem = subscriptions.SUBSCRIPTION_DELETED(subscription_id="s-1")
    german = "Das Abonnement s-1 ist gekündigt; es kann nicht mehr geändert werden."
    assert render(problem, "de-AT") == render(problem, "de_CH") == german


def test_a_host_code_keeps_its_message_unless_defined() -> None:
    problem = Problem(code="host.never_defined", message="Host text.")
    assert render(problem, "de") == "Host text."


# -- negotiation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "fr"),
        ("en;q=0.5, fr;q=0.9", "fr"),
        ("es-ES, de;q=0.3", "de"),
        ("es-ES", "en"),
        ("de;q=0, fr;q=0.1", "fr"),
        ("*", "en"),
        ("", "en"),
        (None, "en"),
        ("de;q=notanumber, fr", "fr"),
        ("<script>, fr", "fr"),
    ],
)
def test_negotiate_locale_from_accept_language(header: str | None, expected: str) -> None:
    assert negotiate_locale(header) == expected


def test_negotiate_locale_among_the_hosts_languages() -> None:
    assert negotiate_locale("fr-CA, de", ["en", "de"]) == "de"
    assert negotiate_locale("it", ["en", "de"], default="de") == "de"


# -- languages a host adds ----------------------------------------------------------------------


def test_a_host_adds_a_language_with_a_catalogue_directory(tmp_path: Path) -> None:
    kind = address.CITY_REQUIRED
    spanish = write_catalogue(
        tmp_path,
        "es",
        {
            (kind.code, kind.template): (
                "Indique la ciudad: es obligatoria para las direcciones de {country}."
            ),
            ("status", "suspended"): "suspendida",
        },
    )
    assert "es" not in available_languages()
    add_catalogue_dir(spanish)
    try:
        assert "es" in available_languages()
        assert negotiate_locale("es-MX, en;q=0.5") == "es"
        assert render(kind(country="US"), "es_MX") == (
            "Indique la ciudad: es obligatoria para las direcciones de Estados Unidos."
        )
        not_live = limits.SUBSCRIPTION_NOT_LIVE(subscription_id="s-1", status="suspended")
        # A code the catalogue leaves out reads in English, its words too.
        assert "s-1 is suspended;" in render(not_live, "es")
    finally:
        remove_catalogue_dir(spanish)
    assert render(kind(country="US"), "es") == (
        "Enter the city: it is required for addresses in United States."
    )


def test_a_host_catalogue_overrides_a_library_sentence_and_translates_its_own_codes(
    tmp_path: Path,
) -> None:
    library = address.CITY_REQUIRED
    host = define("host.vat_required", "vat_id", "Enter the VAT number for {country}.")
    overrides = write_catalogue(
        tmp_path,
        "de",
        {
            (library.code, library.template): "Bitte den Ort angeben ({country}).",
            (host.code, host.template): "Geben Sie die USt-IdNr. für {country} ein.",
        },
    )
    add_catalogue_dir(overrides)
    try:
        assert render(library(country="AT"), "de") == "Bitte den Ort angeben (Österreich)."
        assert render(host(country="AT"), "de") == "Geben Sie die USt-IdNr. für Österreich ein."
        # Everything the host catalogue leaves out still comes from the library's.
        deleted = subscriptions.SUBSCRIPTION_DELETED(subscription_id="s-1")
        assert render(deleted, "de").startswith("Das Abonnement s-1 ist gekündigt")
    finally:
        remove_catalogue_dir(overrides)
        CATALOGUE.pop(host.code, None)
    assert render(library(country="AT"), "de").startswith("Geben Sie den Ort ein")


def test_the_environment_names_more_catalogue_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kind = address.ADDRESS_LINE1_REQUIRED
    write_catalogue(tmp_path, "it", {(kind.code, kind.template): "Inserisci l'indirizzo."})
    monkeypatch.setenv(LOCALE_PATH_VARIABLE, str(tmp_path))
    translation_for.cache_clear()
    try:
        assert "it" in available_languages()
        assert render(kind(), "it") == "Inserisci l'indirizzo."
    finally:
        monkeypatch.delenv(LOCALE_PATH_VARIABLE)
        translation_for.cache_clear()


NUMBERS = {"minimum", "maximum", "quantity", "current", "cap", "existing", "ordered", "remaining",
           "count", "limit", "refundable", "requested", "consumed", "total", "max_length",
           "first_row", "parent_line"}  # fmt: skip
WORDS = dict(reversed(VALUE_TEXTS))  # the first word of each parameter


def sample(name: str) -> str | int | list[str]:
    """A plausible value for a parameter named ``name``."""
    if name in NUMBERS:
        return 1200
    if name in ("term_duration", "subscription_term"):
        return "P1Y"
    if name in ("until", "accepted_at"):
        return "2026-12-01T10:00:00+00:00"
    if name in ("offered", "allowed"):
        return ["monthly", "annual"]
    if name == "subscription_cycle":
        return "annual"
    return {"country": "US", "state": "CA"}.get(name) or WORDS.get(name, "X-1")


@pytest.mark.parametrize("language", SHIPPED)
def test_every_library_problem_renders_as_one_sentence_in_the_language(language: str) -> None:
    english_words = {"monthly", "annual", "United States", "California", "1,200", "1 year"}
    english_words |= {"active", "commercial", "uppercase", "its refund window", "global"}
    for kind in LIBRARY_TYPES:
        problem = kind(**{name: sample(name) for name in fields(kind.template)})
        shown = render(problem, language)
        assert shown != render(problem, "en"), kind.code
        assert "{" not in shown, (kind.code, shown)
        left = [word for word in english_words if re.search(rf"\b{re.escape(word)}\b", shown)]
        assert left == [], (kind.code, shown)


def test_an_enum_parameter_is_shown_as_its_value_in_every_language() -> None:
    from csp_commerce.models.catalogue import CATALOGUE
    from csp_commerce.models.offer import ProductKind

    kind = CATALOGUE["end_of_term.extended_term_not_available"]
    problem = kind(subscription_id="S1", kind=ProductKind.SOFTWARE_SUBSCRIPTION)
    assert problem.params["kind"] == "software_subscription"
    assert "ProductKind" not in problem.message
    assert "(software_subscription)" in problem.message
    assert "Software-Abonnement" in render(problem, "de_DE")
