"""A throwaway PostgreSQL server for the tests, and the ``store_url`` fixture over both engines.

Tests that take ``store_url`` run once on SQLite and once on PostgreSQL. The server is started
once per test session (``initdb`` into a temporary directory, listening on a Unix socket only;
as root, under the ``postgres`` account, since PostgreSQL refuses to run as root), and each test
gets a schema of its own. ``CSP_COMMERCE_POSTGRES_URL`` points the tests at a server already
running instead.

A missing PostgreSQL is an error, never a skip: CI must prove both engines. To run only the
SQLite half on a machine without PostgreSQL, say so: ``CSP_COMMERCE_TEST_ENGINES=sqlite``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ENGINES = [
    engine.strip()
    for engine in os.environ.get("CSP_COMMERCE_TEST_ENGINES", "sqlite,postgresql").split(",")
    if engine.strip()
]
_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _binaries() -> Path:
    for folder in [*_BIN_DIRS, *(Path(p) for p in os.environ.get("PATH", "").split(os.pathsep))]:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise RuntimeError(
        "PostgreSQL is not installed (no initdb/pg_ctl): install it (apt-get install postgresql), "
        "set CSP_COMMERCE_POSTGRES_URL to a server, or run only SQLite with "
        "CSP_COMMERCE_TEST_ENGINES=sqlite"
    )


class _Server:
    """One PostgreSQL cluster in a temporary directory, on a Unix socket."""

    def __init__(self) -> None:
        self.bin = _binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="csp-commerce-pg-"))
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres"
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self.data = self.folder / "data"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-k {self.folder} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
            " -c max_connections=400 -c shared_buffers=32MB"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-t", "60",
            "-l", str(self.folder / "log"), "start",
        )  # fmt: skip
        return f"postgresql://postgres@/postgres?host={self.folder}"

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for the session (started on first use)."""
    given = os.environ.get("CSP_COMMERCE_POSTGRES_URL")
    if given:
        yield given
        return
    server = _Server()
    try:
        yield server.start()
    finally:
        server.stop()


def _with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


@pytest.fixture(params=ENGINES)
def db_engine(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``: the test runs on each."""
    return str(request.param)


@pytest.fixture
def store_url(
    db_engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Callable[[str], str]:
    """``store_url(name)``: where a store called ``name`` lives for this test, on this engine:
    a file in the test's folder, or a schema of the test's own in the session's PostgreSQL (the
    same name gives the same place, so a test can reopen a store)."""
    if db_engine == "sqlite":
        return lambda name: str(tmp_path / f"{name}.sqlite3")
    server = request.getfixturevalue("postgres_url")
    prefix = f"t{uuid.uuid4().hex[:12]}"
    return lambda name: _with_schema(server, f"{prefix}_{name.replace('.', '_').lower()}")
