"""Benchmark: what saving the embedded sandbox after every change costs per request.

The embedded sandbox (the CLI's) saves its world atomically after every write it answers
(temporary file, fsync, rename, fsync of the directory); reads save nothing. This prints, for
worlds of a few sizes, the median time of a write request (creating a cart) with and without
that save, and the save split into serialising and writing+fsync+rename, and the median of a
read (which must not change).

    python bench/bench_sandbox_autosave.py [--runs N] [--sizes 1,100,1000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from csp_commerce.sandbox import Sandbox
from csp_commerce.sandbox.seed_discovery import seed_sandbox
from csp_commerce.sandbox.state import write_atomically


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _requests(sandbox: Sandbox, runs: int) -> tuple[float, float]:
    """Median milliseconds of one write (a cart) and one read (the customer)."""
    customer = next(iter(sandbox.world.customers))
    e3 = sandbox.catalog.find("Office 365 E3").catalog_item_id
    cart = {"lineItems": [{"id": 0, "catalogItemId": e3, "quantity": 1,
                           "billingCycle": "monthly", "termDuration": "P1Y"}]}  # fmt: skip
    writes, reads = [], []
    with sandbox.httpx_client(token="sandbox-user") as client:
        for _ in range(runs):
            start = time.perf_counter()
            response = client.post(f"/v1/customers/{customer}/carts", json=cart)
            writes.append(time.perf_counter() - start)
            assert response.status_code == 201, response.text
            start = time.perf_counter()
            client.get(f"/v1/customers/{customer}")
            reads.append(time.perf_counter() - start)
    return _median_ms(writes), _median_ms(reads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--sizes", default="1,100,1000", help="customers (3 subscriptions each)")
    parser.add_argument("--dir", default=None, help="where to save (default: a temporary dir)")
    args = parser.parse_args()
    print(f"{'customers':>9} {'file KB':>8} {'write ms':>9} {'+save ms':>9} {'save ms':>8} "
          f"{'json ms':>8} {'fsync ms':>9} {'read ms':>8} {'+save':>6}")  # fmt: skip
    with tempfile.TemporaryDirectory(dir=args.dir) as directory:
        path = Path(directory) / "sandbox.json"
        for size in (int(part) for part in args.sizes.split(",")):
            plain = Sandbox(seed=1)
            seed_sandbox(plain, size, 3)
            saving = Sandbox(seed=1, world=plain.world, autosave=path)
            write, read = _requests(plain, args.runs)
            write_saved, read_saved = _requests(saving, args.runs)
            dumps, stores = [], []
            for _ in range(max(5, args.runs // 5)):
                start = time.perf_counter()
                text = json.dumps(saving.world.to_json(), sort_keys=True, separators=(",", ":"))
                middle = time.perf_counter()
                write_atomically(path, text)
                dumps.append(middle - start)
                stores.append(time.perf_counter() - middle)
            kb = path.stat().st_size / 1024
            print(
                f"{size:>9} {kb:>8.0f} {write:>9.2f} {write_saved:>9.2f} "
                f"{write_saved - write:>8.2f} {_median_ms(dumps):>8.2f} "
                f"{_median_ms(stores):>9.2f} {read:>8.3f} {read_saved:>6.3f}"
            )


if __name__ == "__main__":
    main()
