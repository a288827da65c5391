"""The order file under examples/ is placed as the README says: record the MCA, then check out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csp_commerce import __version__
from csp_commerce.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "order.json"


def test_the_example_order_is_placed_once_with_its_add_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ["--home", str(tmp_path)]
    contact = ["--first-name", "Ada", "--last-name", "Lovelace", "--email", "ada@contoso.com"]
    assert (
        main(["mca", "record", "--customer", "contoso", *contact, "--phone", "+1425", *home]) == 0
    )
    capsys.readouterr()
    assert main(["checkout", str(EXAMPLE), "--json", *home]) == 0
    placed = json.loads(capsys.readouterr().out)
    lines = {line["lineId"]: line for line in placed["outcome"]["lines"]}
    assert (lines["1"]["action"], lines["2"]["action"]) == ("new_subscription", "add_on")
    assert main(["checkout", str(EXAMPLE), "--json", *home]) == 0  # nothing placed twice


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert __version__ in capsys.readouterr().out
