"""``csp-commerce worker`` in a real process forked from a forkserver that imported the library
once (a fresh interpreter per worker would spend most of a test importing)."""

from __future__ import annotations

import multiprocessing
import os
import sys
from multiprocessing.context import ForkServerContext

from csp_commerce.cli import main
from csp_commerce.cli import worker as _worker  # noqa: F401 - imported once, in the forkserver
from csp_commerce.sandbox import credential as _credential  # noqa: F401 - likewise


def run(argv: list[str], output: str) -> None:
    """Run the command with ``argv``, its output in the file ``output``; exit with its code."""
    with open(output, "w") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the process's own stdout
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    code = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)


def context() -> ForkServerContext:
    """The forkserver context, preloading this module (and so the library)."""
    forkserver = multiprocessing.get_context("forkserver")
    assert isinstance(forkserver, ForkServerContext)
    forkserver.set_forkserver_preload(["worker_process"])
    return forkserver
