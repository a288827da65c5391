"""Spreadsheet-safe CSV cells: nothing runs as a formula, and reading back restores the text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from csp_commerce.models.csv_cells import FORMULA_START, guard_cell, unguard_cell


@given(st.text())
def test_guarded_cells_round_trip(text: str) -> None:
    assert unguard_cell(guard_cell(text)) == text


@given(st.sampled_from(FORMULA_START), st.text())
def test_no_guarded_cell_starts_a_formula(start: str, rest: str) -> None:
    assert guard_cell(start + rest) == "'" + start + rest


def test_plain_text_is_unchanged() -> None:
    assert guard_cell("Contoso Ltd") == "Contoso Ltd"
