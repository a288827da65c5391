"""Fixtures of the store tests: an evidence log on a temporary file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from evidence_world import NOW

from csp_commerce.store import McaEvidenceLog


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "evidence" / "mca.sqlite3"


@pytest.fixture
def log(path: Path) -> Iterator[McaEvidenceLog]:
    with McaEvidenceLog(path, clock=lambda: NOW) as opened:
        yield opened
