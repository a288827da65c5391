"""The sandbox's reconciliation v2 exports: operations in flight, their blobs, and the knobs
that make an export misbehave (for tests of the client's bad-input handling).

Exports live in memory only (as Graph's operations expire, a saved world forgets them). A
blob's bytes are made when it is downloaded, from the lines snapshotted when the export was
asked for, so a million-line export costs the sandbox one blob at a time.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

JSON = dict[str, Any]


@dataclass
class ExportSettings:
    """How exports behave. The defaults emulate Graph; the others are faults for tests.

    :ivar polls: how many polls answer ``running`` before the operation finishes.
    :ivar retry_after: the ``Retry-After`` seconds of a running operation.
    :ivar lines_per_blob: how many lines one blob holds.
    :ivar sas_lifetime: seconds a manifest's SAS token stays valid (Graph's is not documented;
        an hour here).
    :ivar never_finish: every poll answers ``running``.
    :ivar fail: ``(code, message)``: the operation fails with it.
    :ivar missing_blob: the index of a blob storage does not have (404).
    :ivar truncated_blob: the index of a blob whose gzip stream is cut short.
    :ivar bad_line: ``(blob index, line index)`` of a line replaced by text that is not JSON.
    """

    polls: int = 2
    retry_after: int = 1
    lines_per_blob: int = 50_000
    sas_lifetime: int = 3600
    never_finish: bool = False
    fail: tuple[str, str] | None = None
    missing_blob: int | None = None
    truncated_blob: int | None = None
    bad_line: tuple[int, int] | None = None


@dataclass
class ExportJob:
    """One export: its lines (or a generator of them), its progress and its result."""

    id: str
    created: str
    count: int
    line: Callable[[int], JSON]
    etag: str
    failure: tuple[str, str] | None = None
    polls_left: int = 0
    sas_expiry: int = 0
    settings: ExportSettings = field(default_factory=ExportSettings)
    _made: dict[int, bytes] = field(default_factory=dict, repr=False)

    def blob_names(self) -> list[str]:
        """The blob file names (none for an export without lines)."""
        size = max(1, self.settings.lines_per_blob)
        blobs = (self.count + size - 1) // size
        return [f"part-{index:05d}.json.gz" for index in range(blobs)]

    def blob_bytes(self, index: int) -> bytes:
        """Blob ``index`` as gzip JSON lines (with the settings' damage, if any); made once."""
        made = self._made.get(index)
        if made is None:
            made = self._made[index] = self._make(index)
        return made

    def _make(self, index: int) -> bytes:
        size = max(1, self.settings.lines_per_blob)
        start, end = index * size, min(self.count, (index + 1) * size)
        bad = self.settings.bad_line
        parts: list[bytes] = []
        for number in range(start, end):
            if bad is not None and bad == (index, number - start):
                parts.append(b'{"customerId": "broken", \n')
                continue
            parts.append(json.dumps(self.line(number), separators=(",", ":")).encode() + b"\n")
        data = gzip.compress(b"".join(parts), compresslevel=1, mtime=0)
        if self.settings.truncated_blob == index:
            data = data[: max(10, len(data) - 40)]
        return data


@dataclass
class ExportBoard:
    """The exports of one sandbox, the SAS signing key, and the settings new exports take."""

    settings: ExportSettings = field(default_factory=ExportSettings)
    jobs: dict[str, ExportJob] = field(default_factory=dict)
    key: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    #: invoice number -> line count of a generated invoice (benchmarks: lines made on demand)
    generated: dict[str, int] = field(default_factory=dict)

    def signature(self, export_id: str, expiry: str) -> str:
        """The SAS signature of an export's blobs for an expiry."""
        message = f"{export_id}\n{expiry}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:32]


def etag_of(kind: str, lines: Sequence[JSON]) -> str:
    """An eTag that changes only when the exported data changes."""
    digest = hashlib.sha256(kind.encode())
    for line in lines:
        digest.update(json.dumps(line, sort_keys=True, separators=(",", ":")).encode())
    return digest.hexdigest()[:32]
