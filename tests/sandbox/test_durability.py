"""The sandbox's saved world survives a crash mid-save, and a damaged file is a clear error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from csp_commerce.errors import ConfigurationError
from csp_commerce.sandbox import Sandbox, World

from .conftest import FakeClock, client_for, create_customer


def _saved_with(tmp_path: Path, sandbox: Sandbox, *domains: str) -> Path:
    with client_for(sandbox) as client:
        for domain in domains:
            create_customer(client, domain)
    path = tmp_path / "sandbox.json"
    sandbox.save(path)
    return path


@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_a_failure_mid_save_leaves_the_previous_file_loadable(
    tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = _saved_with(tmp_path, sandbox, "first")
    before = path.read_bytes()
    with client_for(sandbox) as client:
        create_customer(client, "second")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    if failing == "write":
        monkeypatch.setattr("os.fdopen", lambda *a, **k: _FailingFile())
    else:
        monkeypatch.setattr(f"os.{failing}", broken)
    with pytest.raises(OSError, match="No space left"):
        sandbox.save(path)
    monkeypatch.undo()

    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["sandbox.json"]  # no temporary left
    world = World.load(path)
    assert len(world.customers) == 1


class _FailingFile:
    """A file whose write fails halfway (the disk filled up)."""

    def __enter__(self) -> _FailingFile:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")


def test_a_save_replaces_the_file_in_one_rename(
    tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _saved_with(tmp_path, sandbox, "first")
    seen: list[tuple[str, str]] = []
    replace = os.replace

    def spy(source: str, target: str) -> None:
        # at the moment of the rename the new text is complete and the old file still whole
        assert len(World.load(source).customers) == 2
        assert len(World.load(target).customers) == 1
        seen.append((Path(source).parent.name, Path(target).name))
        replace(source, target)

    with client_for(sandbox) as client:
        create_customer(client, "second")
    monkeypatch.setattr("os.replace", spy)
    sandbox.save(path)
    assert seen == [(tmp_path.name, "sandbox.json")]
    assert len(World.load(path).customers) == 2


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b'{"version": 1, "seed"', "JSONDecodeError"), (b"[]", "Error"),
     (b'{"version": 99}', "version"), (b"\xff\xfe", "decode")],
)  # fmt: skip
def test_a_damaged_state_file_is_a_clear_configuration_error(
    tmp_path: Path, clock: FakeClock, content: bytes, reason: str
) -> None:
    path = tmp_path / "sandbox.json"
    path.write_bytes(content)
    with pytest.raises(ConfigurationError, match=reason) as raised:
        Sandbox.load(path, clock=clock)
    message = str(raised.value)
    assert str(path) in message
    assert "cannot load sandbox state" in message


def test_a_missing_state_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot load sandbox state"):
        World.load(tmp_path / "nothing.json")
