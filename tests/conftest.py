"""Fixtures shared by the whole suite."""

from __future__ import annotations

import gettext
from collections.abc import Callable

import pycountry
import pytest

#: The Partner Center client fakes and fixtures (tests/pc_fakes.py), for every test folder.
pytest_plugins = ["pc_fakes", "pg_server"]


def _pycountry_state_name(country: str, state: str, language: str) -> str:
    subdivision = pycountry.subdivisions.get(code=f"{country}-{state}")  # type: ignore[no-untyped-call]
    assert subdivision is not None, f"pycountry has no {country}-{state}"
    name = str(subdivision.name)
    if language == "en":
        return name
    catalogue = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language])
    return catalogue.gettext(name)


@pytest.fixture
def state_name() -> Callable[[str, str, str], str]:
    """The oracle for a state's name: pycountry's own data in this release, never a literal.

    ``state_name("US", "CA", "de")`` is whatever this pycountry calls California in German.
    """
    return _pycountry_state_name
