"""docs/endpoints.md is the rendering of the route table, and csp_commerce/data/wire_schemas.json
that of the wire models (scripts/render_endpoints.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "render_endpoints", ROOT / "scripts" / "render_endpoints.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_endpoints_doc_is_the_rendered_table() -> None:
    module = _renderer()
    committed = (ROOT / "docs" / "endpoints.md").read_text(encoding="utf-8")
    assert committed == module.render(), "run scripts/render_endpoints.py"


def test_the_committed_wire_schemas_are_the_rendered_models() -> None:
    committed = (ROOT / "csp_commerce" / "data" / "wire_schemas.json").read_text(encoding="utf-8")
    assert committed == _renderer().render_schemas(), "run scripts/render_endpoints.py"
