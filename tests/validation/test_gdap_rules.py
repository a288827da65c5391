"""GDAP rules before any request: unknown roles, duration over two years, a display name reused."""

from __future__ import annotations

from pathlib import Path

import pytest

from csp_commerce.errors import ConfigurationError
from csp_commerce.models.gdap import ROLES, GdapTemplate, role_id
from csp_commerce.validation.gdap_rules import check_gdap_assignment as assignment
from csp_commerce.validation.gdap_rules import check_gdap_relationship as relationship
from csp_commerce.validation.gdap_rules import duration_days

ADMIN = "User Administrator"


def codes(problems: list) -> list[str]:  # type: ignore[type-arg]
    return [problem.code for problem in problems]


def test_a_good_relationship_has_no_problems() -> None:
    assert relationship("Contoso GDAP", "P730D", [ADMIN, ROLES["Global Reader"]], "P180D") == []
    assert relationship("Contoso", "P2Y", ["helpdesk administrator"], "PT0S") == []


@pytest.mark.parametrize(
    ("duration", "days"),
    [("P730D", 730), ("P2Y", 730), ("P1Y6M", 545), ("P1D", 1), ("P2W", 14), ("p90d", 90)],
)
def test_durations_are_read_in_graph_days(duration: str, days: int) -> None:
    assert duration_days(duration) == days


@pytest.mark.parametrize("duration", ["P731D", "P2Y1D", "P3Y", "P0D", "P25M"])
def test_a_duration_outside_one_day_to_two_years_is_a_problem(duration: str) -> None:
    (problem,) = relationship("X", duration, [ADMIN], "P180D")
    assert problem.code == "gdap.duration.out_of_range" and problem.field == "duration"


@pytest.mark.parametrize("duration", ["730", "P", "PT24H", "two years", ""])
def test_a_duration_that_is_not_iso_days_is_a_problem(duration: str) -> None:
    assert codes(relationship("X", duration, [ADMIN], "P180D")) == ["gdap.duration.invalid"]


def test_an_unknown_role_is_a_problem_naming_it() -> None:
    problems = relationship("X", "P90D", [ADMIN, "Coffee Administrator"], "P180D")
    assert codes(problems) == ["gdap.role.unknown"]
    assert problems[0].params["role"] == "Coffee Administrator"
    assert codes(relationship("X", "P90D", [], "P180D")) == ["gdap.role.required"]


def test_a_display_name_already_used_is_a_problem_whatever_its_case() -> None:
    problems = relationship("Contoso GDAP", "P90D", [ADMIN], "P180D", ["contoso gdap "])
    assert codes(problems) == ["gdap.display_name.taken"]
    assert codes(relationship("x" * 51, "P90D", [ADMIN], "P180D")) == ["gdap.display_name.invalid"]
    assert codes(relationship("  ", "P90D", [ADMIN], "P180D")) == ["gdap.display_name.invalid"]


def test_auto_extend_is_p180d_or_never() -> None:
    assert codes(relationship("X", "P90D", [ADMIN], "P90D")) == ["gdap.auto_extend.invalid"]


def test_an_assignment_gives_only_the_relationships_roles() -> None:
    assert assignment([ADMIN], [ROLES[ADMIN], "Global Reader"]) == []
    assert codes(assignment(["Global Reader"], [ADMIN])) == ["gdap.role.not_in_relationship"]
    assert codes(assignment(["Nope"], [ADMIN])) == ["gdap.role.unknown"]


def test_role_names_and_ids_resolve() -> None:
    assert role_id("global administrator") == ROLES["Global Administrator"]
    assert role_id(ROLES[ADMIN].upper()) == ROLES[ADMIN]
    assert role_id("Nope") is None


def test_the_template_comes_from_a_settings_file(tmp_path: Path) -> None:
    path = tmp_path / "gdap.json"
    path.write_text(
        '{"roles": ["User Administrator", "Global Reader"], "displayName": "{customer} admin",'
        ' "groups": [{"groupId": "g-1", "roles": ["Global Reader"]}]}'
    )
    template = GdapTemplate.from_file(path)
    assert template.duration == "P730D" and template.auto_extend == "P180D"
    assert template.name_for("Contoso " * 10) == ("Contoso " * 10)[:50]
    assert template.groups[0].group_id == "g-1"
    path.write_text("{}")
    with pytest.raises(ConfigurationError, match=r"gdap\.json"):
        GdapTemplate.from_file(path)
