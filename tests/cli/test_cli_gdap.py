"""``csp-commerce gdap list|show|link|approve`` against the embedded sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from csp_commerce.cli import main
from csp_commerce.cli._env import Environment
from csp_commerce.models.gdap import ROLES


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_show_link_and_approve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ("--home", str(tmp_path))
    assert "no GDAP relationships" in run(capsys, "gdap", "list", *home)[1]
    with Environment(tmp_path) as env:
        created = env.client.gdap.create_relationship(
            "Woodgrove GDAP", "P730D", [ROLES["Global Reader"]]
        )
        env.client.gdap.lock_for_approval(created.id)
    code, out, _ = run(capsys, "gdap", "list", *home)
    assert code == 0 and created.id in out and "approvalPending" in out and "Woodgrove" in out
    code, out, _ = run(capsys, "gdap", "link", created.id, *home)
    assert out.strip().endswith(f"granularAdminRelationships/{created.id}")
    code, out, _ = run(capsys, "gdap", "approve", created.id, "--tenant", "t-1", *home)
    assert code == 0 and "is active" in out
    with Environment(tmp_path) as env:
        env.client.gdap.create_access_assignment(created.id, "group-1", [ROLES["Global Reader"]])
    code, out, _ = run(capsys, "gdap", "show", created.id, *home)
    assert "status: active" in out and "customer: t-1" in out
    assert "group group-1, pending" in out


def test_approve_an_unknown_relationship_or_live_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "gdap", "approve", "nope", "--home", str(tmp_path))
    assert code == 2 and "nope" in err and "Traceback" not in err
    code, _, err = run(capsys, "gdap", "approve", "x", "--live", "--home", str(tmp_path))
    assert code == 2 and "Global Administrator" in err
