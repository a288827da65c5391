"""Streamed reading of export blobs (gzip JSON lines), shared by both clients.

A blob is never held whole: each chunk off the wire is inflated, split into lines and parsed
into typed items, and only the unfinished last line is carried to the next chunk. The clients
own the I/O loop (``iter_raw`` / ``aiter_raw``); everything else is here, written once.

A line that is not JSON, or not a line item, becomes a :class:`BadRow` in the stream (the
consumer decides whether a report with bad rows may stand); a blob that is not whole gzip raises
:class:`~csp_commerce.errors.BlobCorruptError` once its end shows it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from csp_commerce import errors as E

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

T = TypeVar("T")

#: gzip header and trailer (``32 + 15`` would also take zlib; exports are gzip).
_GZIP = 16 + zlib.MAX_WBITS
#: At most this many inflated bytes are split and parsed at once (memory stays flat).
PIECE = 1 << 18


@dataclass(frozen=True)
class BadRow:
    """A line of a blob that did not become a line item: which blob, which line, why."""

    blob: str
    line: int
    error: str


@dataclass(frozen=True)
class BlobRead:
    """One blob to download: its name (for messages) and its SAS URL."""

    name: str
    url: str = ""


@dataclass(frozen=True)
class BlobPlan(Generic[T]):
    """What a streamed operation downloads, in order, and the model each line becomes."""

    blobs: tuple[BlobRead, ...]
    item: type[T]


class JsonLinesDecoder(Generic[T]):
    """Inflates one blob chunk by chunk and parses each complete line into ``item``.

    Each line is validated straight from its bytes by the item's pydantic-core validator
    (jiter: no dict in between, and no TypeAdapter call around it).
    One ``list[item]`` call over a joined batch measured no faster, batches of 8 to 256 lines
    alike (``bench/bench_line_decoding.py``), so lines stay one call each and a bad line is its
    own row.
    """

    def __init__(self, blob: str, item: type[T], request_id: str) -> None:
        self.blob = blob
        self.request_id = request_id
        self._validate: Callable[[bytes], T] = _adapter(item).validator.validate_json
        self._inflate = zlib.decompressobj(_GZIP)
        self._rest = b""
        self.lines = 0

    def feed(self, chunk: bytes) -> Iterator[T | BadRow]:
        """The items (and bad rows) completed by ``chunk``, inflated a bounded piece at a time
        (a 64 KiB chunk of JSON lines can inflate to megabytes)."""
        for piece in self._inflated(chunk):
            lines = (self._rest + piece).split(b"\n")
            self._rest = lines.pop()
            yield from self._items(lines)

    def finish(self) -> list[T | BadRow]:
        """The last line's item; raises if the gzip stream did not end properly."""
        if not self._inflate.eof:
            raise self._corrupt("the gzip stream ends early (truncated)")
        rest, self._rest = self._rest, b""
        return list(self._items([rest]))

    def _inflated(self, chunk: bytes) -> Iterator[bytes]:
        data = chunk
        try:
            while data:
                piece = self._inflate.decompress(data, PIECE)
                data = self._inflate.unconsumed_tail
                if self._inflate.eof and self._inflate.unused_data:
                    # a blob may be several gzip members one after another
                    data = self._inflate.unused_data + data
                    self._inflate = zlib.decompressobj(_GZIP)
                yield piece
        except zlib.error as error:
            raise self._corrupt(f"not gzip ({error})") from None

    def _items(self, raw: list[bytes]) -> Iterator[T | BadRow]:
        # One item at a time: handed on while its memory is hot (a list of a piece's ~200
        # items first measured ~17 % slower per line).
        validate = self._validate
        for line in raw:
            self.lines += 1
            if not line or line.isspace():
                continue
            try:
                item = validate(line)
            except ValidationError as error:
                yield self._bad(error, self.lines)
                continue
            yield item

    def _bad(self, error: ValidationError, number: int) -> BadRow:
        problems = error.errors(include_url=False, include_input=False)
        first = problems[0] if problems else {"msg": "invalid"}
        reason = str(first.get("msg", "invalid"))
        if first.get("type") != "json_invalid":
            reason = f"{'.'.join(str(p) for p in first.get('loc', ()))}: {reason}"
        return BadRow(self.blob, number, reason)

    def _corrupt(self, why: str) -> E.BlobCorruptError:
        return E.BlobCorruptError(
            f"blob {self.blob} cannot be read: {why}; no report is built from it",
            request_id=self.request_id,
        )


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(tp: Any) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(tp)
    if adapter is None:
        adapter = _ADAPTERS[tp] = TypeAdapter(tp)
    return adapter


def blob_request(
    http: httpx.Client | httpx.AsyncClient,
    blob: BlobRead,
    request_id: str,
    timeout: httpx.Timeout | float,
) -> httpx.Request:
    """The GET of a blob: its SAS URL is the whole credential (no bearer token)."""
    return http.build_request(
        "GET", blob.url, headers={"x-ms-client-request-id": request_id}, timeout=timeout
    )


def blob_failure(blob: BlobRead, response: httpx.Response, request_id: str) -> E.PartnerCenterError:
    """The typed error of a blob answer that is not 200 (read the body first)."""
    status = response.status_code
    text = response.text[:200] if response.content else ""
    kwargs: dict[str, Any] = {"request_id": request_id, "description": text or None}
    if status == 404:
        return E.BlobMissingError(
            f"blob {blob.name} listed in the manifest is not in storage (HTTP 404)", **kwargs
        )
    if status == 403:
        return E.SasExpiredError(
            f"storage refused the SAS token for blob {blob.name} (HTTP 403, expired or not "
            "valid): run the export again for a fresh one",
            **kwargs,
        )
    return E.ReconciliationExportError(
        f"blob {blob.name} could not be downloaded (HTTP {status})", **kwargs
    )


def blob_cut(blob: BlobRead, request_id: str, exc: httpx.TransportError) -> E.PartnerCenterError:
    """The typed error of a download that broke off (no partial blob is used)."""
    cls = E.APITimeoutError if isinstance(exc, httpx.TimeoutException) else E.APIConnectionError
    return cls(
        f"download of blob {blob.name} broke off: {type(exc).__name__}", request_id=request_id
    )


def decoder_for(blob: BlobRead, item: type[T], request_id: str) -> JsonLinesDecoder[T]:
    """A decoder for ``blob``'s lines."""
    return JsonLinesDecoder(blob.name, item, request_id)


__all__ = [
    "BadRow",
    "BlobPlan",
    "BlobRead",
    "JsonLinesDecoder",
    "blob_cut",
    "blob_failure",
    "blob_request",
    "decoder_for",
]
