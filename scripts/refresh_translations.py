"""Refresh the Problem message catalogues: extract, update and compile them with babel.

    python scripts/refresh_translations.py             # extract, update every .po, compile .mo
    python scripts/refresh_translations.py --init es   # start a catalogue for a new language
    python scripts/refresh_translations.py --check     # exit 1 if anything is out of date

Messages are extracted with babel from the ``ProblemType(code, field, template)`` declarations in
``csp_commerce/models/catalogue/*_codes.py`` (the code is the context, the template the message)
and from the ``value(parameter, word)`` marks in ``translations.py``. The template goes to
``csp_commerce/locale/csp_commerce.pot``; each ``<language>/LC_MESSAGES/csp_commerce.po`` is
updated from it (new messages untranslated, changed ones fuzzy) and compiled, translated messages
only, to the ``.mo`` file next to it. The ``.mo`` files are committed and shipped in the wheel as
package data, so installing the library needs no compile step; ``tests/models/
test_translations.py`` runs ``--check`` so a stale ``.mo`` fails the suite.

The same works with babel's command line (``pybabel extract -k ProblemType:1c,3 -k value:1c,2``,
``pybabel update``, ``pybabel compile``); this script pins the options and the layout.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "csp_commerce" / "models" / "catalogue"
LOCALE_DIR = ROOT / "csp_commerce" / "locale"
DOMAIN = "csp_commerce"
KEYWORDS = {"ProblemType": ((1, "c"), 3), "value": ((1, "c"), 2)}
METHODS = [("*_codes.py", "python"), ("translations.py", "python")]
# A fixed date keeps the files byte-for-byte the same until a message changes.
_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


def extract() -> Catalog:
    """Every message of the library's Problem catalogue, with its code or parameter context."""
    template = Catalog(
        project="csp_commerce", domain=DOMAIN, creation_date=_EPOCH, revision_date=_EPOCH
    )
    template.fuzzy = False
    for filename, lineno, message, comments, context in extract_from_dir(
        SOURCES, METHODS, keywords=KEYWORDS, strip_comment_tags=True
    ):
        if not isinstance(message, str):  # ProblemType(code, field, template): one msgid only
            message = message[-1]
        template.add(
            message,
            locations=[(f"csp_commerce/models/catalogue/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def render_po(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    # No line numbers: moving a declaration must not make the catalogues stale.
    write_po(out, catalog, width=100, sort_output=False, ignore_obsolete=True, include_lineno=False)
    return out.getvalue()


def render_mo(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def languages() -> list[str]:
    return sorted(path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def refreshed(template: Catalog) -> dict[Path, bytes]:
    """Every file the catalogues should hold, by path."""
    files = {LOCALE_DIR / f"{DOMAIN}.pot": render_po(template)}
    for language in languages():
        po_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=language, domain=DOMAIN)
        catalog.update(template, update_header_comment=False, update_creation_date=False)
        files[po_path] = render_po(catalog)
        files[po_path.with_suffix(".mo")] = render_mo(catalog)
    return files


def init(template: Catalog, language: str) -> Path:
    """Start ``language``'s catalogue: every message, none translated yet."""
    catalog = Catalog(
        locale=language,
        domain=DOMAIN,
        project="csp_commerce",
        creation_date=_EPOCH,
        revision_date=_EPOCH,
    )
    catalog.update(template)
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_po(catalog))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; 1 if out of date")
    parser.add_argument("--init", metavar="LANGUAGE", help="start a catalogue for LANGUAGE")
    args = parser.parse_args(argv)
    template = extract()
    if args.init:
        print(f"started {init(template, args.init)}")
    stale = []
    for path, content in refreshed(template).items():
        if path.exists() and path.read_bytes() == content:
            continue
        stale.append(path)
        if not args.check:
            path.write_bytes(content)
    for path in stale:
        print(f"{'out of date' if args.check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
