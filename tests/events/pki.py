"""A small PKI for receiver tests: a root, an intermediate, and signers good and bad."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.x509.oid import NameOID

from csp_commerce.sandbox.webhook_signer import issue, new_key

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
HOST = "3psostorageacct.blob.core.windows.net"
URL = f"https://{HOST}/cert/signer.pem"


def name(common: str, organization: str = "Microsoft Corporation") -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


@dataclass
class PKI:
    """Keys are made once (module fixture); certificates are cheap to issue from them."""

    root_key: RSAPrivateKey = field(default_factory=new_key)
    ca_key: RSAPrivateKey = field(default_factory=new_key)
    key: RSAPrivateKey = field(default_factory=new_key)

    def __post_init__(self) -> None:
        self.root_name = name("Test Root", "Test Trust Services")
        self.root = self.ca(self.root_name, self.root_key, self.root_name, self.root_key)
        self.ca_name = name("Test Issuing CA", "Test Trust Services")
        self.intermediate = self.ca(self.ca_name, self.ca_key, self.root_name, self.root_key)

    def ca(
        self, subject: x509.Name, key: RSAPrivateKey, issuer: x509.Name, issuer_key: RSAPrivateKey
    ) -> x509.Certificate:
        return issue(
            subject,
            key,
            issuer,
            issuer_key,
            NOW - timedelta(days=30),
            NOW + timedelta(days=3650),
            ca=True,
        )

    def signer(
        self,
        *,
        organization: str = "Microsoft Corporation",
        via_intermediate: bool = False,
        self_signed: bool = False,
        not_before: datetime = NOW - timedelta(days=10),
        not_after: datetime = NOW + timedelta(days=300),
    ) -> x509.Certificate:
        subject = name("webhooks.partnercenter", organization)
        if self_signed:
            issuer, issuer_key = subject, self.key
        elif via_intermediate:
            issuer, issuer_key = self.ca_name, self.ca_key
        else:
            issuer, issuer_key = self.root_name, self.root_key
        return issue(subject, self.key, issuer, issuer_key, not_before, not_after, ca=False)


def sign(key: RSAPrivateKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def event_body(name: str = "reseller-relationship-accepted-by-customer", **extra: Any) -> bytes:
    payload = {
        "EventName": name,
        "ResourceUri": "https://api.partnercenter.microsoft.com/v1/customers/c-1",
        "ResourceName": "customer",
        "AuditUri": None,
        "ResourceChangeUtcDate": (NOW - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **extra,
    }
    return json.dumps(payload).encode()


def headers(
    key: RSAPrivateKey, body: bytes, url: str = URL, algorithm: str = "rsa-sha256"
) -> dict[str, str]:
    return {
        "Authorization": f"Signature {sign(key, body)}",
        "X-MS-Certificate-Url": url,
        "X-MS-Signature-Algorithm": algorithm,
        "Content-Type": "application/json",
    }
