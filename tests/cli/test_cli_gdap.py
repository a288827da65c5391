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


def _relationships(tmp_path: Path) -> list[dict[str, object]]:
    with Environment(tmp_path) as env:
        return [r.model_dump(by_alias=True) for r in env.client.gdap.list_relationships()]


def test_create_lock_assign_and_terminate_with_confirmations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ("--home", str(tmp_path))
    reader = ("--role", "Global Reader")
    code, out, _ = run(capsys, "gdap", "create", "Contoso GDAP", *reader, "--dry-run", *home)
    assert code == 0 and "would create GDAP relationship 'Contoso GDAP'" in out
    assert _relationships(tmp_path) == []
    code, _, err = run(capsys, "gdap", "create", "Contoso GDAP", *reader, *home)
    assert code == 2 and "--yes" in err and _relationships(tmp_path) == []  # a script: refused

    code, out, _ = run(
        capsys, "gdap", "create", "Contoso GDAP", *reader, "--role", "User Administrator",
        "--customer", "t-1", "--lock", "--yes", *home,
    )  # fmt: skip
    assert code == 0 and "is approvalPending" in out and "approval link" in out
    (made,) = _relationships(tmp_path)
    relationship = str(made["id"])
    assert out.strip().endswith(f"granularAdminRelationships/{relationship}")
    run(capsys, "gdap", "approve", relationship, *home)

    group = ("--group", "helpdesk")
    code, out, _ = run(capsys, "gdap", "assign", relationship, *group, *reader, "--yes", *home)
    assert code == 0 and "is pending" in out
    code, out, _ = run(
        capsys, "gdap", "assign", relationship, *group, *reader, "--role", "User Administrator",
        "--yes", *home,
    )  # fmt: skip
    assert code == 0
    with Environment(tmp_path) as env:
        (assignment,) = env.client.gdap.list_access_assignments(relationship)
    assert len(assignment.access_details.unified_roles) == 2  # updated, not a second one
    code, out, _ = run(capsys, "gdap", "unassign", relationship, *group, "--yes", *home)
    assert code == 0 and "removed" in out
    code, out, _ = run(capsys, "gdap", "terminate", relationship, "--yes", *home)
    assert code == 0 and "is terminated" in out


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (("--role", "Chief Coffee Officer"), "gdap.role.unknown"),
        (("--role", "Global Reader", "--duration", "P3Y"), "gdap.duration.out_of_range"),
        (("--role", "Global Reader", "--name-taken"), "gdap.display_name.taken"),
    ],
)
def test_bad_input_is_a_problem_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], code: str
) -> None:
    home = ("--home", str(tmp_path))
    if "--name-taken" in argv:
        with Environment(tmp_path) as env:
            env.client.gdap.create_relationship("contoso gdap", "P30D", [ROLES["Global Reader"]])
        argv = argv[:-1]
    before = len(_relationships(tmp_path))
    exit_code, _, err = run(capsys, "gdap", "create", "Contoso GDAP", *argv, "--yes", *home)
    assert exit_code == 1 and f"[{code}]" in err
    assert len(_relationships(tmp_path)) == before


def test_the_template_from_the_settings_is_requested_then_applied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    home = ("--home", str(tmp_path))
    (tmp_path / "gdap.json").write_text(
        json.dumps(
            {
                "roles": ["Global Reader", "User Administrator"],
                "groups": [{"groupId": "helpdesk", "roles": ["Global Reader"]}],
            }
        )
    )
    (tmp_path / "config.json").write_text(json.dumps({"gdap_template": "gdap.json"}))
    code, out, _ = run(
        capsys, "gdap", "request", "--customer", "t-1", "--name", "Contoso", "--yes", *home
    )
    assert code == 0 and "(Contoso GDAP) is approvalPending" in out
    (made,) = _relationships(tmp_path)
    relationship = str(made["id"])
    code, out, _ = run(capsys, "gdap", "apply-template", relationship, "--yes", *home)
    assert code == 0 and "nothing assigned yet" in out
    run(capsys, "gdap", "approve", relationship, *home)
    code, out, _ = run(capsys, "gdap", "apply-template", relationship, "--yes", *home)
    assert code == 0 and "group helpdesk: access assignment" in out


def test_a_missing_template_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "gdap",
        "request",
        "--customer",
        "t",
        "--name",
        "C",
        "--yes",
        "--home",
        str(tmp_path),
    )
    assert code == 2 and "no GDAP template" in err and "Traceback" not in err


@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_a_reseller_answers_its_providers_relationship(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], verb: str
) -> None:
    with Environment(tmp_path) as env:
        made = env.sandbox.add_reseller_gdap("provider-1", "customer-1")
    code, out, _ = run(
        capsys, "gdap", f"reseller-{verb}", str(made["id"]), "--yes", "--home", str(tmp_path)
    )
    assert code == 0
    assert ("is active" if verb == "approve" else "is terminated") in out
