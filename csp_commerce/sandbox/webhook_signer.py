"""The sandbox's webhook signing certificate: a root of its own and a signer it issues.

The signer's subject names ``O=Microsoft Corporation`` like Partner Center's, so a receiver
runs every check it runs in production; only the root differs, and a receiver trusts it only
when told to (``WebhookTrust.sandbox``). The keys are made once per world and saved with it, so
a receiver's cached certificate stays good across sandbox restarts.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

    from csp_commerce.sandbox.state import JSON

ROOT_NAME = "csp-commerce sandbox webhook root"
SIGNER_NAME = "csp-commerce sandbox webhook signer"
ORGANIZATION = "Microsoft Corporation"


def _name(common: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def issue(
    subject: x509.Name,
    key: RSAPrivateKey,
    issuer: x509.Name,
    issuer_key: RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
    *,
    ca: bool,
) -> x509.Certificate:
    """A certificate for ``key``'s public half, signed by ``issuer_key`` (SHA-256)."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def new_key() -> RSAPrivateKey:
    """A fresh RSA-2048 key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def new_signer(now: datetime) -> JSON:
    """A root and a signer valid from a day before ``now``, as the world keeps them (PEM)."""
    root_key, key = new_key(), new_key()
    root_name = _name(ROOT_NAME, "csp-commerce sandbox")
    start = now - timedelta(days=1)
    root = issue(
        root_name, root_key, root_name, root_key, start, now + timedelta(days=3650), ca=True
    )
    signer = issue(
        _name(SIGNER_NAME, ORGANIZATION),
        key,
        root_name,
        root_key,
        start,
        now + timedelta(days=825),
        ca=False,
    )
    return {
        "rootPem": _pem(root),
        "certificatePem": _pem(signer),
        "keyPem": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
    }


@dataclass
class Signer:
    """Signs webhook bodies with the sandbox signer's key (RSA-SHA256, PKCS#1 v1.5)."""

    key: RSAPrivateKey

    @classmethod
    def from_json(cls, data: JSON) -> Signer:
        """The signer of a world's ``webhooks.signer`` entry."""
        key = serialization.load_pem_private_key(data["keyPem"].encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return cls(key)

    def signature(self, body: bytes) -> str:
        """The base64 signature Partner Center puts after ``Signature`` in Authorization."""
        raw = self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(raw).decode()
