"""Files written whole or not at all: the one atomic writer every part of the package uses."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: str | Path, content: str | bytes) -> None:
    """Replace ``path`` with ``content``: temporary file, flush, fsync, rename, fsync the
    directory (so the rename survives a power cut).

    On any error (a full disk, Ctrl-C) the temporary file is removed and ``path`` is left as it
    was, so a reader never sees half a file.
    """
    path = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if isinstance(content, bytes):
            with os.fdopen(fd, "wb") as binary:
                binary.write(content)
                binary.flush()
                os.fsync(binary.fileno())
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as text:
                text.write(content)
                text.flush()
                os.fsync(text.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        with contextlib.suppress(OSError):  # file systems that refuse fsync on directories
            os.fsync(fd)
    finally:
        os.close(fd)
