"""docs/endpoints.md is the rendering of the route table (scripts/render_endpoints.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_committed_endpoints_doc_is_the_rendered_table() -> None:
    spec = importlib.util.spec_from_file_location(
        "render_endpoints", ROOT / "scripts" / "render_endpoints.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (ROOT / "docs" / "endpoints.md").read_text(encoding="utf-8")
    assert committed == module.render(), "run scripts/render_endpoints.py"
