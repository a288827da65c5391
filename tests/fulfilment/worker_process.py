"""``csp-commerce worker`` in a real process forked from a forkserver that imported the library
once (a fresh interpreter per worker would spend most of a test importing)."""

from __future__ import annotations

import multiprocessing
import os
import sys
from multiprocessing.context import ForkServerContext

from csp_commerce.cli import main

#: What the forkserver imports once (from the installed library: the forkserver does not get
#: the tests' sys.path), so that each worker starts without importing it again.
PRELOAD = [
    "csp_commerce.cli.worker",
    "csp_commerce.checkout.work",
    "csp_commerce.cli._env",
    "csp_commerce.hooks.builtin",
    "csp_commerce.sandbox",
    "psycopg",
    "psycopg_pool",
]


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
    """The forkserver context, preloading the library."""
    forkserver = multiprocessing.get_context("forkserver")
    assert isinstance(forkserver, ForkServerContext)
    forkserver.set_forkserver_preload(PRELOAD)
    return forkserver
