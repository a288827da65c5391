"""``csp-commerce validate-address``: exit codes, text and JSON output, bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from csp_commerce.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "addresses.jsonl"

GOOD = {"addressLine1": "1 Microsoft Way", "city": "Redmond", "state": "WA",
        "postalCode": "98052", "country": "US"}  # fmt: skip
BAD = {"address_line1": "350 Fifth Avenue", "city": "New York", "state": "CA",
       "postal_code": "10118", "country": "US"}  # fmt: skip


def write(tmp_path: Path, *lines: str | dict[str, object]) -> str:
    path = tmp_path / "addresses.jsonl"
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_single_valid_address_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "validate-address", "--country", "US", "--postal-code", "94043",
        "--state", "CA", "--city", "Mountain View",
    )  # fmt: skip
    assert code == 0 and "valid" in out and "INVALID" not in out


def test_single_invalid_address_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "validate-address", "--country", "US", "--postal-code", "94043 1351",
        "--state", "CA", "--city", "Mountain View",
    )  # fmt: skip
    assert code == 1 and "INVALID" in out and "postal_code" in out and "95014" in out


def test_flags_check_only_the_fields_they_can_give(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "validate-address", "--json", "--country", "RU", "--postal-code", "101000",
        "--state", "MOW", "--city", "Moscow",
    )  # fmt: skip
    assert code == 0 and json.loads(out) == {"valid": True, "problems": []}
    code, out, _ = run(capsys, "validate-address", "--json", "--country", "US")
    assert code == 1
    found = [problem["code"] for problem in json.loads(out)["problems"]]
    assert found == ["city.required", "state.required", "postal_code.required"]


def test_file_json_output_one_object_per_line_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "validate-address", "--json", "--file", write(tmp_path, GOOD, BAD))
    assert code == 1
    first, second = (json.loads(line) for line in out.splitlines())
    assert first == {"valid": True, "problems": []}
    assert second["valid"] is False
    (problem,) = second["problems"]
    assert set(problem) == {"code", "field", "message", "params"}
    assert problem["code"] == "postal_code.state_mismatch"
    assert problem["field"] == "postal_code"
    assert problem["params"] == {"value": "10118", "country": "US", "state": "CA"}


def test_all_valid_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate-address", "--file", write(tmp_path, GOOD, "", GOOD))
    assert code == 0 and "2 addresses: 2 valid, 0 invalid" in out


def test_malformed_lines_exit_2_and_the_others_are_still_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD, "{not json", BAD, "[1, 2]", {"country": "US", "zip": "1"}, GOOD)
    code, out, err = run(capsys, "validate-address", "--json", "--file", path)
    assert code == 2
    verdicts = [json.loads(line) for line in out.splitlines()]
    assert [verdict["valid"] for verdict in verdicts] == [True, False, False, False, False, True]
    assert "error" in verdicts[1] and "error" in verdicts[3] and "error" in verdicts[4]
    assert verdicts[2]["problems"][0]["code"] == "postal_code.state_mismatch"
    assert "line 2" in err and "line 4" in err and "zip" in err
    assert "Traceback" not in err


def test_bad_bytes_and_huge_lines_are_unusable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odd.jsonl"
    huge = json.dumps({"country": "US", "city": "x" * 200_000})
    path.write_bytes(b'\xff\xfe{"country": "US"}\n' + huge.encode() + b"\n")
    code, _, err = run(capsys, "validate-address", "--file", str(path))
    assert code == 2 and "UTF-8" in err and "over 100000 characters" in err


def test_trailing_newline_and_control_characters_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, dict(GOOD, postalCode="98052\n"), dict(GOOD, city="Red\u202emond"))
    code, out, _ = run(capsys, "validate-address", "--json", "--file", path)
    assert code == 1
    for line, field in zip(out.splitlines(), ["postal_code", "city"], strict=True):
        (problem,) = json.loads(line)["problems"]
        assert (problem["code"], problem["field"]) == ("address.control_characters", field)


def test_text_output_escapes_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate-address", "--country", "US", "--postal-code", "9\x1b[31m")
    assert code == 1 and "\x1b" not in out and "\\u001b" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["validate-address"],
        ["validate-address", "--postal-code", "94043"],
        ["validate-address", "--file", "x.jsonl", "--country", "US"],
        ["validate-address", "--file", "does-not-exist.jsonl"],
        ["validate-address", "--country", "US", "--locale", "not a locale!"],
    ],
)
def test_usage_errors_exit_2_with_a_message(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert code == 2 and err.startswith("csp-commerce: error: ") and "Traceback" not in err


def test_empty_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "validate-address", "--file", write(tmp_path, "", "  "))
    assert code == 2 and "no address" in err


def test_locale_renders_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], state_name: Callable[[str, str, str], str]
) -> None:
    path = write(tmp_path, BAD)
    code, out, _ = run(capsys, "validate-address", "--json", "--locale", "de_DE", "--file", path)
    (problem,) = json.loads(out)["problems"]
    assert code == 1 and state_name("US", "CA", "de") in problem["message"]
    assert problem["params"]["state"] == "CA"


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import sys

    stdin = io.TextIOWrapper(io.BytesIO((json.dumps(GOOD) + "\n").encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = run(capsys, "validate-address", "--json", "--file", "-")
    assert code == 0 and json.loads(out)["valid"] is True


def test_the_readme_example_shows_both_verdicts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate-address", "--file", str(EXAMPLES))
    assert code == 1
    assert "valid" in out and "INVALID" in out and "12 addresses: 7 valid, 5 invalid" in out
