"""Benchmark: a reconciliation v2 export of 1,000,000 line items, streamed into typed items.

The sandbox runs as an HTTP server in a child process (real sockets; its memory is not the
client's) with one generated invoice of ``--lines`` line items in blobs of ``--blob-lines``.
The client asks for the billed export (202, polls, manifest), then reads the blobs three times
over the same sockets, each a pass of its own:

1. **download**: the gzip bytes only (also fills the sandbox's blob cache, so the passes after
   it measure the client, not the sandbox making blobs);
2. **json.loads**: inflate, split lines, ``json.loads`` each (the peer: untyped dicts);
3. **typed**: ``client.reconciliation.line_items(manifest)``, each line a validated
   ``ReconciliationLineItem`` (unknown fields kept).

It prints each pass's wall and CPU time, lines per second (wall and per CPU second), the typed
pass's time as a ratio of the json.loads pass (target ≤ 3×), and the client's peak RSS after
the typed pass (target ≤ 100 MB; measured before the json.loads pass, so only the download and
typed passes count). Throughput targets: ≥ 100,000 typed lines/s. On a loaded machine the wall
figures fall with the load; the CPU-second rates and the ratio do not.

Run: ``python bench/bench_reconciliation_v2.py [--lines 1000000] [--blob-lines 100000]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass

import httpx

from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.provisioning.blobs import BadRow
from csp_commerce.provisioning.wire import ExportManifest, ReconciliationLineItem
from csp_commerce.sandbox import Sandbox, SandboxCredential

CHUNK = 1 << 16


@dataclass
class Pass:
    name: str
    lines: int
    wall: float
    cpu: float

    def show(self) -> str:
        rate = self.lines / self.wall if self.wall else 0.0
        cpu_rate = self.lines / self.cpu if self.cpu else 0.0
        return (
            f"{self.name:<11} {self.lines:>9,} lines  wall {self.wall:7.2f}s  cpu {self.cpu:7.2f}s"
            f"  {rate:>9,.0f} lines/s  {cpu_rate:>9,.0f} lines/cpu-s"
        )


def serve(lines: int, blob_lines: int) -> None:
    """Child process: the sandbox with one generated invoice, until stdin closes."""
    sandbox = Sandbox(seed=1)
    settings = sandbox.exports.settings
    settings.lines_per_blob = blob_lines
    settings.retry_after = 0  # the benchmark measures reading, not Graph's pacing
    invoice = sandbox.generate_large_invoice(lines)["id"]
    with sandbox.server() as server:
        print(server.url, invoice, flush=True)
        sys.stdin.read()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(name: str, run: object) -> Pass:
    wall, cpu = time.perf_counter(), time.process_time()
    count = run()  # type: ignore[operator]
    return Pass(name, count, time.perf_counter() - wall, time.process_time() - cpu)


def download(http: httpx.Client, manifest: ExportManifest) -> int:
    total = 0
    for blob in manifest.blobs:
        with http.stream("GET", manifest.blob_url(blob)) as response:
            response.raise_for_status()
            for chunk in response.iter_raw(CHUNK):
                total += len(chunk)
    return total


def plain_json(http: httpx.Client, manifest: ExportManifest) -> int:
    count = 0
    loads = json.loads
    for blob in manifest.blobs:
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        rest = b""
        with http.stream("GET", manifest.blob_url(blob)) as response:
            for chunk in response.iter_raw(CHUNK):
                parts = (rest + inflate.decompress(chunk)).split(b"\n")
                rest = parts.pop()
                for line in parts:
                    if line:
                        loads(line)
                        count += 1
        if rest.strip():
            loads(rest)
            count += 1
    return count


def typed(client: PartnerCenterClient, manifest: ExportManifest) -> int:
    count = 0
    for item in client.reconciliation.line_items(manifest):
        if isinstance(item, BadRow):
            raise SystemExit(f"bad row in a generated export: {item}")
        count += 1
    assert isinstance(item, ReconciliationLineItem)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--blob-lines", type=int, default=100_000)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.lines, args.blob_lines)
        return
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--lines", str(args.lines),
         "--blob-lines", str(args.blob_lines)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None
    assert child.stdin is not None
    url, invoice = child.stdout.readline().split()
    try:
        with httpx.Client(timeout=120) as http:
            client = PartnerCenterClient(SandboxCredential(), base_url=url, http_client=http)
            started = time.perf_counter()
            manifest = client.reconciliation.export_billed(invoice)
            took = time.perf_counter() - started
            print(f"export of {args.lines:,} lines: manifest in {took:.2f}s, "
                  f"{manifest.blob_count} blobs")  # fmt: skip
            raw = timed("download", lambda: download(http, manifest))
            print(f"download    {raw.lines / 1e6:9.1f} MB gzip  wall {raw.wall:7.2f}s")
            print(f"client peak RSS before parsing: {peak_rss_mb():.1f} MB")
            typed_pass = timed("typed", lambda: typed(client, manifest))
            rss = peak_rss_mb()
            plain = timed("json.loads", lambda: plain_json(http, manifest))
    finally:
        child.stdin.close()
        child.wait(timeout=60)
    assert typed_pass.lines == plain.lines == args.lines, (typed_pass.lines, plain.lines)
    print(plain.show())
    print(typed_pass.show())
    print(f"typed / json.loads time: wall {typed_pass.wall / plain.wall:.2f}x, "
          f"cpu {typed_pass.cpu / plain.cpu:.2f}x (target <= 3x)")  # fmt: skip
    print(f"client peak RSS after the typed pass: {rss:.1f} MB (target <= 100 MB)")


if __name__ == "__main__":
    main()
