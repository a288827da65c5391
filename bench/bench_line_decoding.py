"""Benchmark: where the time of reading a reconciliation v2 blob goes, and the ways to decode it.

One in-process gzip JSON-lines blob of ``--lines`` sandbox-generated line items (no sockets: the
transport is measured by ``bench_reconciliation_v2.py``) is read by each way in turn, rounds
alternating so that a shared machine's load falls on all of them alike; each figure is the
median CPU time of ``--rounds`` rounds, as lines per CPU second and as a ratio to the peer:

* **inflate**: gzip inflation alone, in the decoder's bounded pieces;
* **json.loads** (the peer): inflate, split lines, ``json.loads`` each (untyped dicts);
* **jiter parse**: the same with ``pydantic_core.from_json`` (untyped; the floor of any path
  that validates with pydantic from JSON bytes);
* **typed per line**: :class:`~csp_commerce.provisioning.blobs.JsonLinesDecoder`, the shipped
  path (each line validated from its bytes into a ``ReconciliationLineItem``);
* **typed batch N**: each inflated piece's lines joined as one JSON array and validated with
  ``TypeAdapter(list[ReconciliationLineItem]).validate_json`` in batches of N lines.

Run: ``python bench/bench_line_decoding.py [--lines 200000] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
import zlib
from collections.abc import Callable, Iterator

import pydantic_core
from pydantic import TypeAdapter

from csp_commerce.provisioning.blobs import PIECE, BadRow, JsonLinesDecoder
from csp_commerce.provisioning.wire import ReconciliationLineItem
from csp_commerce.sandbox.billing_export_routes import _generated_line

CHUNK = 1 << 16  # what a socket read gives at most


def blob_of(lines: int) -> tuple[list[bytes], int]:
    """The gzip blob of ``lines`` generated line items, in socket-sized chunks; its raw size."""
    raw = b"".join(
        json.dumps(_generated_line(n), separators=(",", ":")).encode() + b"\n" for n in range(lines)
    )
    packed = gzip.compress(raw)
    return [packed[at : at + CHUNK] for at in range(0, len(packed), CHUNK)], len(raw)


def pieces(chunks: list[bytes]) -> Iterator[bytes]:
    """The inflated pieces, as the decoder makes them (at most ``PIECE`` bytes each)."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    for chunk in chunks:
        data = chunk
        while data:
            yield inflate.decompress(data, PIECE)
            data = inflate.unconsumed_tail


def lines_of(chunks: list[bytes]) -> Iterator[list[bytes]]:
    """Each piece's complete lines."""
    rest = b""
    for piece in pieces(chunks):
        parts = (rest + piece).split(b"\n")
        rest = parts.pop()
        yield parts
    if rest:
        yield [rest]


def inflate_only(chunks: list[bytes]) -> int:
    return sum(len(piece) for piece in pieces(chunks))


def untyped(parse: Callable[[bytes], object]) -> Callable[[list[bytes]], int]:
    def run(chunks: list[bytes]) -> int:
        count = 0
        for batch in lines_of(chunks):
            for line in batch:
                if line:
                    parse(line)
                    count += 1
        return count

    return run


def typed_per_line(chunks: list[bytes]) -> int:
    decoder = JsonLinesDecoder("part-00000.json.gz", ReconciliationLineItem, "bench")
    count = 0
    for chunk in chunks:
        for item in decoder.feed(chunk):
            assert not isinstance(item, BadRow)
            count += 1
    return count + len(decoder.finish())


def typed_batch(size: int) -> Callable[[list[bytes]], int]:
    many = TypeAdapter(list[ReconciliationLineItem])

    def run(chunks: list[bytes]) -> int:
        count = 0
        for batch in lines_of(chunks):
            batch = [line for line in batch if line]
            for at in range(0, len(batch), size):
                count += len(many.validate_json(b"[" + b",".join(batch[at : at + size]) + b"]"))
        return count

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    chunks, raw = blob_of(args.lines)
    packed = sum(map(len, chunks))
    print(f"{args.lines:,} lines, {raw / args.lines:.0f} bytes each, {packed / 1e6:.1f} MB gzip")
    ways: dict[str, Callable[[list[bytes]], int]] = {
        "inflate": inflate_only,
        "json.loads": untyped(json.loads),
        "jiter parse": untyped(pydantic_core.from_json),
        "typed per line": typed_per_line,
        "typed batch 32": typed_batch(32),
        "typed batch 256": typed_batch(256),
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.rounds):
        for name, way in ways.items():
            started = time.process_time()
            count = way(chunks)
            times[name].append(time.process_time() - started)
            assert name == "inflate" or count == args.lines, (name, count)
    peer = statistics.median(times["json.loads"])
    for name, spent in times.items():
        median = statistics.median(spent)
        print(
            f"{name:<16} {median:7.2f} cpu-s  {args.lines / median:>10,.0f} lines/cpu-s"
            f"  {median / peer:5.2f}x json.loads"
        )


if __name__ == "__main__":
    main()
