"""Benchmark: start-up of the ``csp-commerce`` command against ``import csp_commerce``.

Runs each of these in a fresh process, alternating, ``--runs`` times (at least 20), and prints
the medians:

* ``python -c pass`` (the interpreter's floor);
* ``python -c "import csp_commerce"`` (the reference);
* ``csp-commerce --help``;
* ``csp-commerce validate-address --country US --postal-code 98052 --state WA --city Redmond``;

and the two ratios against the targets of issue 15: ``--help`` ≤ 1.2× and ``validate-address``
≤ 1.5× the import. The command runs as ``python -m csp_commerce`` so that every row pays the
same interpreter start (the console script adds only its own small wrapper). ``--check`` exits 1
when a ratio is over its target. ``--callgrind`` also counts instructions, one run per command
under ``valgrind --tool=callgrind`` (about 30 s each): steadier than times on a busy machine.

    python bench/bench_startup.py [--runs N] [--check] [--callgrind]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PY = sys.executable
VALIDATE = ["validate-address", "--country", "US", "--postal-code", "98052", "--state", "WA",
            "--city", "Redmond"]  # fmt: skip
COMMANDS: dict[str, list[str]] = {
    "python -c pass": [PY, "-c", "pass"],
    "import csp_commerce": [PY, "-c", "import csp_commerce"],
    "csp-commerce --help": [PY, "-m", "csp_commerce", "--help"],
    "csp-commerce validate-address ...": [PY, "-m", "csp_commerce", *VALIDATE],
}
REFERENCE = "import csp_commerce"
TARGETS = {"csp-commerce --help": 1.2, "csp-commerce validate-address ...": 1.5}


# Bytecode as an installed package has it: written once (to a private cache), then read.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="bench-startup-pycache-")


def run_once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, check=True)
    return time.perf_counter() - start


def instructions(argv: list[str]) -> int | None:
    """The instructions ``argv`` executes, counted by callgrind (None when unavailable)."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [valgrind, "--tool=callgrind", f"--callgrind-out-file={tmp}/out", *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=ENV,
            text=True,
            check=False,
        )
        match = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
        return int(match.group(1)) if match else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="runs per command (at least 20)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--callgrind", action="store_true", help="also count instructions")
    args = parser.parse_args()
    runs = max(args.runs, 20)
    for argv in COMMANDS.values():  # warm the file cache and write the bytecode
        run_once(argv)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, argv in COMMANDS.items():  # alternating: drift hits every row alike
            times[name].append(run_once(argv))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{sys.version.split()[0]}, {runs} runs each, alternating; medians (min)")
    for name, values in times.items():
        print(f"  {name:36} {medians[name] * 1000:8.1f} ms  ({min(values) * 1000:.1f})")
    missed = False
    for name, target in TARGETS.items():
        ratio = medians[name] / medians[REFERENCE]
        missed |= ratio > target
        verdict = "ok" if ratio <= target else "MISSED"
        print(f"  {name:36} {ratio:8.2f}× the import (target ≤ {target}×: {verdict})")
    if args.callgrind:
        counts = {name: instructions(argv) for name, argv in COMMANDS.items()}
        if None in counts.values():
            print("callgrind: unavailable")
        else:
            print("callgrind, one run each: instructions")
            for name, count in counts.items():
                print(f"  {name:36} {count:>15,}")
            for name, target in TARGETS.items():
                ratio = counts[name] / counts[REFERENCE]  # type: ignore[operator]
                print(f"  {name:36} {ratio:8.2f}× the import (target ≤ {target}×)")
    shutil.rmtree(ENV["PYTHONPYCACHEPREFIX"], ignore_errors=True)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
