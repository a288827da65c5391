"""The sandbox's world: every resource Partner Center would hold for one partner account.

Resources are kept in their wire shape (Partner Center's camelCase JSON dicts), so a response is
the stored dict and a save is ``json.dumps``. Everything a customer owns hangs off its
:class:`CustomerState`, which is the index that keeps handlers linear in one customer's data.
"""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csp_commerce._files import write_atomically
from csp_commerce.errors import ConfigurationError

JSON = dict[str, Any]

STATE_VERSION = 1
_ID_NAMESPACE = uuid.UUID("0c5b7a52-6a1e-4f0e-9d1e-5a2f5c7e0b11")
#: How many MS-RequestId outcomes are remembered (Partner Center's retention is undocumented).
REQUEST_LOG_LIMIT = 100_000


@dataclass
class CustomerState:
    """One customer tenant and everything the partner holds for it."""

    customer: JSON
    agreements: list[JSON] = field(default_factory=list)
    qualifications: list[JSON] = field(default_factory=list)
    subscriptions: dict[str, JSON] = field(default_factory=dict)
    orders: dict[str, JSON] = field(default_factory=dict)
    carts: dict[str, JSON] = field(default_factory=dict)
    users: dict[str, JSON] = field(default_factory=dict)
    licenses: dict[str, list[str]] = field(default_factory=dict)  # user id -> sku ids
    resellers: list[str] = field(default_factory=list)  # reseller tenant ids

    @property
    def id(self) -> str:
        """The customer's tenant id."""
        return str(self.customer["id"])

    @property
    def related(self) -> bool:
        """Whether the partner has a reseller relationship with the tenant."""
        return bool(self.customer.get("relationshipToPartner") == "reseller")

    def to_json(self) -> JSON:
        """A JSON-ready dict of this customer's state."""
        return {
            "customer": self.customer,
            "agreements": self.agreements,
            "qualifications": self.qualifications,
            "subscriptions": self.subscriptions,
            "orders": self.orders,
            "carts": self.carts,
            "users": self.users,
            "licenses": self.licenses,
            "resellers": self.resellers,
        }

    @classmethod
    def from_json(cls, data: JSON) -> CustomerState:
        """The inverse of :meth:`to_json`."""
        return cls(**data)


@dataclass
class RecordedOutcome:
    """The first outcome of a write, replayed when its MS-RequestId comes again."""

    method: str
    path: str
    status: int
    body: str  # the JSON text, exactly as first sent
    headers: dict[str, str] = field(default_factory=dict)
    #: Who sent it (the bearer token's principal); only that caller gets the replay. Empty in
    #: states saved before callers were kept: any authenticated partner caller gets those.
    caller: str = ""


@dataclass
class World:
    """The whole sandbox state; ``save``/``load`` round-trip it through JSON."""

    seed: int = 0
    partner_tenant_id: str = "4f6a1b2c-0d3e-4a5b-8c7d-9e0f1a2b3c4d"
    partner_mpn_id: str = "1234567"
    partner_name: str = "Sandbox Cloud Solutions"
    counter: int = 0
    clock_offset: float = 0.0  # seconds the sandbox's time runs ahead of its clock
    customers: dict[str, CustomerState] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)  # lower-case domain -> tenant id
    resellers: dict[str, JSON] = field(default_factory=dict)  # tenant id -> reseller
    invoices: dict[str, JSON] = field(default_factory=dict)
    invoice_lines: dict[str, list[JSON]] = field(default_factory=dict)
    requests: OrderedDict[str, RecordedOutcome] = field(default_factory=OrderedDict)
    audit_records: list[JSON] = field(default_factory=list)  # sandbox/audit.py
    #: registration, outbox, test events, signer (sandbox/webhook_routes.py)
    webhooks: JSON = field(default_factory=dict)
    #: GDAP relationships and access assignments on Graph (sandbox/gdap_routes.py)
    gdap: JSON = field(default_factory=dict)
    #: transitions made, by source subscription id (sandbox/transition_routes.py)
    transitions: dict[str, list[JSON]] = field(default_factory=dict)
    #: partner-to-partner transfers, by customer id then transfer id (sandbox/transfer_routes.py)
    transfers: dict[str, dict[str, JSON]] = field(default_factory=dict)
    resellers_by_mpn: dict[str, str] = field(default_factory=dict, repr=False)  # derived

    def next_id(self) -> str:
        """A new GUID, deterministic in the seed and the number of ids handed out so far."""
        self.counter += 1
        return str(uuid.uuid5(_ID_NAMESPACE, f"{self.seed}:{self.counter}"))

    def next_etag(self) -> str:
        """A new opaque ETag value."""
        self.counter += 1
        return f"W/{self.seed:x}-{self.counter:x}"

    def add_reseller(self, reseller: JSON) -> None:
        """Register an indirect reseller (keeps the MPN index current)."""
        self.resellers[reseller["id"]] = reseller
        self.resellers_by_mpn[reseller["mpnId"]] = reseller["id"]

    def reseller_by_mpn(self, mpn_id: str) -> JSON | None:
        """The reseller with this MPN id, or None."""
        tenant = self.resellers_by_mpn.get(mpn_id)
        return None if tenant is None else self.resellers[tenant]

    def remember(self, request_id: str, outcome: RecordedOutcome) -> None:
        """Record a write's first outcome under its MS-RequestId (oldest forgotten first)."""
        self.requests[request_id] = outcome
        while len(self.requests) > REQUEST_LOG_LIMIT:
            self.requests.popitem(last=False)

    # -- persistence ------------------------------------------------------------------------

    def to_json(self) -> JSON:
        """A JSON-ready dict of the whole world."""
        return {
            "version": STATE_VERSION,
            "seed": self.seed,
            "partner": {
                "tenantId": self.partner_tenant_id,
                "mpnId": self.partner_mpn_id,
                "name": self.partner_name,
            },
            "counter": self.counter,
            "clockOffset": self.clock_offset,
            "customers": {key: value.to_json() for key, value in self.customers.items()},
            "domains": self.domains,
            "resellers": self.resellers,
            "invoices": self.invoices,
            "invoiceLines": self.invoice_lines,
            "auditRecords": self.audit_records,
            "webhooks": self.webhooks,
            "gdap": self.gdap,
            "transitions": self.transitions,
            "transfers": self.transfers,
            "requests": {
                key: {
                    "method": value.method,
                    "path": value.path,
                    "status": value.status,
                    "body": value.body,
                    "headers": value.headers,
                    "caller": value.caller,
                }
                for key, value in self.requests.items()
            },
        }

    @classmethod
    def from_json(cls, data: JSON) -> World:
        """The inverse of :meth:`to_json`; raises ValueError on an unknown version."""
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported sandbox state version: {data.get('version')!r}")
        partner = data["partner"]
        world = cls(
            seed=data["seed"],
            partner_tenant_id=partner["tenantId"],
            partner_mpn_id=partner["mpnId"],
            partner_name=partner["name"],
            counter=data["counter"],
            clock_offset=float(data.get("clockOffset", 0.0)),
            customers={
                key: CustomerState.from_json(value) for key, value in data["customers"].items()
            },
            domains=dict(data["domains"]),
            invoices=dict(data["invoices"]),
            invoice_lines=dict(data["invoiceLines"]),
            audit_records=list(data.get("auditRecords", [])),
            webhooks=dict(data.get("webhooks", {})),
            gdap=dict(data.get("gdap", {})),
            transitions=dict(data.get("transitions", {})),
            transfers=dict(data.get("transfers", {})),
            requests=OrderedDict(
                (key, RecordedOutcome(**value)) for key, value in data["requests"].items()
            ),
        )
        for reseller in data["resellers"].values():
            world.add_reseller(reseller)
        return world

    def save(self, path: str | Path) -> None:
        """Write the world to a JSON file, atomically.

        The text goes to a temporary file in the same directory, is flushed and fsynced, and
        then replaces ``path`` in one rename (the directory is fsynced too). A crash or a
        SIGKILL at any point leaves either the previous file or the new one, never a part.
        """
        # Compact: json's C encoder only runs without indent (about 4x faster on big worlds).
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        write_atomically(Path(path), text)

    @classmethod
    def load(cls, path: str | Path) -> World:
        """Read a world written by :meth:`save`.

        Raises :class:`~csp_commerce.errors.ConfigurationError` (naming the file and what to do)
        when the file cannot be read or does not hold a sandbox state.
        """
        path = Path(path)
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigurationError(f"cannot load sandbox state {path}: {error}") from None
        try:
            return cls.from_json(json.loads(text))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            what = "the file is empty" if not text.strip() else f"{type(error).__name__}: {error}"
            raise ConfigurationError(
                f"cannot load sandbox state {path}: {what}. Restore it from a copy, or move it "
                "away to start from a fresh sandbox"
            ) from None
