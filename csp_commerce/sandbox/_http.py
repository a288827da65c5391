"""The sandbox's request/response types, Partner Center's error shape, and collection paging."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from csp_commerce.errors import EmulatedError
from csp_commerce.sandbox.exports import ExportBoard

if TYPE_CHECKING:
    from collections import deque
    from collections.abc import Callable, Sequence

    from csp_commerce.sandbox.faults import FaultInjector
    from csp_commerce.sandbox.pc_rules import Violation
    from csp_commerce.sandbox.seed_catalog import Catalog
    from csp_commerce.sandbox.state import JSON, World

API_VERSION_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
MAX_PAGE_SIZE = 2000
DEFAULT_PAGE_SIZE = 200


def refusal(violation: Violation) -> EmulatedError:
    """The error answering a broken rule."""
    return EmulatedError(violation.status, violation.code, violation.description, violation.data)


def bad_request(description: str, code: int = 2000) -> EmulatedError:
    """A 400 for input Partner Center cannot use (code 2000 unless said otherwise)."""
    return EmulatedError(400, code, description)


def not_found(what: str, code: int = 1000) -> EmulatedError:
    """A 404 in Partner Center's shape."""
    return EmulatedError(404, code, f"{what} was not found.")


class QueryParams(Mapping[str, str]):
    """A request's query parameters, looked up whatever the case of their names.

    Partner Center reads ``invoiceLineItemType`` and ``invoicelineitemtype`` alike; iteration
    gives the names as sent. Parameters no handler asks for are ignored, as Partner Center does.
    """

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items: dict[str, str] = dict(items or {})
        self._folded = {key.lower(): key for key in self._items}

    def __getitem__(self, key: str) -> str:
        return self._items[self._folded[key.lower()]]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._folded

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"QueryParams({self._items!r})"


@dataclass
class Request:
    """One parsed request, as handlers see it."""

    method: str
    path: str
    query: QueryParams
    headers: dict[str, str]  # lower-case names
    body: Any
    params: tuple[str, ...] = ()
    user: bool = False  # an app+user token

    def json_object(self) -> JSON:
        """The body, which must be a JSON object."""
        if not isinstance(self.body, dict):
            raise bad_request("The request body must be a JSON object.")
        return self.body


@dataclass
class Reply:
    """What a handler answers: status, JSON-ready body (None: empty) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Context:
    """What handlers work on: the world, the catalog, the clock, the fault injector."""

    world: World
    catalog: Catalog
    clock: Callable[[], float]
    injector: FaultInjector
    exports: ExportBoard = field(default_factory=ExportBoard)
    #: Request times of routes with a limit of their own (promotion eligibility's 625/min).
    windows: dict[str, deque[float]] = field(default_factory=dict)

    def now(self) -> datetime:
        """The current time (UTC, whole seconds): the clock, plus however far the world's time
        was moved ahead (``POST /sandbox/v1/clock``)."""
        return datetime.fromtimestamp(int(self.clock() + self.world.clock_offset), timezone.utc)


def timestamp(moment: datetime) -> str:
    """Partner Center's ISO-8601 UTC spelling."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> datetime:
    """The inverse of :func:`timestamp` (also accepts fractions and offsets)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def collection(items: list[Any], next_link: JSON | None = None) -> JSON:
    """Partner Center's collection shape."""
    body: JSON = {
        "totalCount": len(items),
        "items": items,
        "links": {},
        "attributes": {"objectType": "Collection"},
    }
    if next_link is not None:
        body["links"]["next"] = next_link
    return body


def page_size(request: Request, default: int = DEFAULT_PAGE_SIZE) -> int:
    """The ``size`` query parameter, bounded to Partner Center's maximum."""
    raw = request.query.get("size")
    if raw is None or raw == "" or raw == "0":
        return default
    try:
        size = int(raw)
    except ValueError:
        raise bad_request(f"size must be an integer, not {raw!r}.") from None
    if size < 0:
        raise bad_request("size must not be negative.")
    return min(size, MAX_PAGE_SIZE)


def _token(kind: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{offset}".encode()).decode().rstrip("=")


def _offset(kind: str, token: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        token_kind, _, offset = raw.partition(":")
        if token_kind != kind:
            raise ValueError(token_kind)
        return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_request("The continuation token is not valid for this collection.") from None


_PAGING_KEYS = {"size", "seekoperation", "offset"}


def seek_page(
    request: Request,
    kind: str,
    items: Sequence[Any],
    path: str,
    *,
    default_size: int = DEFAULT_PAGE_SIZE,
) -> JSON:
    """One page of a seek-paged collection: ``links.next`` carries ``MS-ContinuationToken``."""
    size = page_size(request, default_size)
    token = request.headers.get("ms-continuationtoken")
    offset = _offset(kind, token) if token else 0
    page = list(items[offset : offset + size])
    next_link = None
    if offset + size < len(items):
        # The next page keeps the request's own filters (dates, provider, ...).
        query = {k: v for k, v in request.query.items() if k.lower() not in _PAGING_KEYS}
        query.update(size=str(size), seekOperation="Next")
        next_link = {
            "uri": f"{path}?{urlencode(query)}",
            "method": "GET",
            "headers": [{"key": "MS-ContinuationToken", "value": _token(kind, offset + size)}],
        }
    return collection(page, next_link)


def offset_page(request: Request, items: Sequence[Any]) -> JSON:
    """One page of an offset-paged collection (``size`` and ``offset``)."""
    size = page_size(request)
    try:
        offset = int(request.query.get("offset") or 0)
    except ValueError:
        raise bad_request("offset must be an integer.") from None
    if offset < 0:
        raise bad_request("offset must not be negative.")
    return collection(list(items[offset : offset + size]))
