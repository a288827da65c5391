"""Benchmark: rendering every library Problem in German and French with ``render_problem``.

Prints the median time to render every library Problem once (a storefront page showing each
code) in each language, as a ratio against making those Problems (their English ``message``,
measured in the same run): warm (the parameters' numbers, dates and words rendered before, as on
a busy storefront) and cold (every formatting cache emptied first).

    python bench/bench_render_problem.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import string
import time
from collections.abc import Callable

from csp_commerce import render_problem
from csp_commerce.models.catalogue import LIBRARY_TYPES, ProblemType, _core
from csp_commerce.models.problem import ParamValue

NUMBERS = {"minimum", "maximum", "quantity", "current", "cap", "existing", "ordered", "remaining",
           "count", "limit", "refundable", "requested", "consumed", "total", "max_length",
           "first_row", "parent_line"}  # fmt: skip


def params_for(kind: ProblemType) -> dict[str, ParamValue]:
    names = {name for _, name, _, _ in string.Formatter().parse(kind.template) if name}
    values: dict[str, ParamValue] = {}
    for name in names:
        if name in NUMBERS:
            values[name] = 1200
        elif name in ("term_duration", "subscription_term"):
            values[name] = "P1Y"
        elif name in ("until", "accepted_at"):
            values[name] = "2026-12-01T10:00:00+00:00"
        elif name in ("offered", "allowed"):
            values[name] = ["monthly", "annual"]
        elif name in ("billing_cycle", "subscription_cycle"):
            values[name] = "annual"
        else:
            values[name] = {"country": "US", "state": "CA", "status": "suspended"}.get(name, "X-1")
    return values


def median_us(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    kinds = [(kind, params_for(kind)) for kind in LIBRARY_TYPES]
    problems = [kind(**params) for kind, params in kinds]
    for language in ("de", "fr"):  # warm the catalogue and babel's caches, as a server would be
        for problem in problems:
            render_problem(problem, language)

    made = median_us(lambda: [kind(**params) for kind, params in kinds], args.runs)
    per_problem = made / len(kinds)
    print(f"{len(kinds)} library Problems, median of {args.runs} runs")
    print(f"  making them (English message):   {made:8.0f} µs  ({per_problem:.1f} µs each)")
    for language in ("en", "de", "fr"):
        for cold in (False, True):

            def page(language: str = language, cold: bool = cold) -> object:
                if cold:
                    for cache in (_core._number, _core._text, _core.country_name):
                        cache.cache_clear()
                return [render_problem(p, language) for p in problems]

            spent = median_us(page, args.runs)
            print(
                f"  render_problem(..., {language!r}) {'cold' if cold else 'warm'}: {spent:8.0f} µs"
                f"  ({spent / len(problems):.1f} µs each, {spent / made:.1f}x making them)"
            )


if __name__ == "__main__":
    main()
