"""Which certificate may sign a webhook, and the check of one (chain, subject, dates, host).

Partner Center names its signing certificate in ``X-MS-Certificate-Url``; the receiver fetches
it only from an allowed host over HTTPS, and accepts it only when it is in date, its subject's
organisation is ``Microsoft Corporation`` and it chains to a trusted root through certificates
that are themselves in date and CAs. Checked certificates are cached by URL.

Unconfirmed by Microsoft's text (isolated here): what the document at the URL holds. The
receiver accepts a PEM bundle (the signing certificate first, then any intermediates) or a
single DER certificate; intermediates missing from it can be given as ``intermediates=``.
The production roots are the Mozilla bundle shipped by ``certifi`` (httpx's own trust store).
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID

from csp_commerce.errors import WebhookRejectedError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

#: The host Partner Center's signing certificates are published on.
MICROSOFT_CERTIFICATE_HOSTS = frozenset({"3psostorageacct.blob.core.windows.net"})
#: The organisation (``O=``) a signing certificate's subject must name.
MICROSOFT_ORGANIZATION = "Microsoft Corporation"
#: How long a checked certificate is reused before it is fetched again (seconds).
CERTIFICATE_CACHE_SECONDS = 24 * 3600.0
_MAX_CHAIN = 6
_BEGIN = b"-----BEGIN CERTIFICATE-----"
_END = b"-----END CERTIFICATE-----"


def _untrusted(message: str) -> WebhookRejectedError:
    return WebhookRejectedError(message, status=401, reason="untrusted-certificate")


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in ``data`` (a PEM bundle, or one DER certificate)."""
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as error:
        raise _untrusted(f"the signing certificate cannot be read: {error}") from None


def _default_roots() -> tuple[x509.Certificate, ...]:
    """The certifi bundle's roots; one a future cryptography refuses (e.g. a non-positive
    serial number) is left out rather than failing every other."""
    import certifi

    with open(certifi.where(), "rb") as handle:
        blocks = handle.read().split(_END)
    roots = []
    for block in blocks:
        if _BEGIN not in block:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            try:
                roots.append(x509.load_pem_x509_certificate(block + _END))
            except ValueError:
                continue
    return tuple(roots)


@dataclass(frozen=True)
class WebhookTrust:
    """What the receiver trusts: certificate hosts, roots, the subject's organisation.

    Use :meth:`microsoft` in production and :meth:`sandbox` (explicitly) against the sandbox.
    ``allow_http`` lets a certificate URL be plain HTTP (the sandbox on localhost only).
    """

    hosts: frozenset[str]
    roots: tuple[x509.Certificate, ...]
    organization: str = MICROSOFT_ORGANIZATION
    intermediates: tuple[x509.Certificate, ...] = ()
    allow_http: bool = False
    _by_subject: dict[x509.Name, list[x509.Certificate]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        for root in self.roots:
            self._by_subject.setdefault(root.subject, []).append(root)

    @classmethod
    def microsoft(
        cls,
        *,
        roots: Iterable[x509.Certificate] | None = None,
        intermediates: Iterable[x509.Certificate] = (),
    ) -> WebhookTrust:
        """Partner Center's production trust: its certificate host, public roots (certifi)."""
        return cls(
            hosts=MICROSOFT_CERTIFICATE_HOSTS,
            roots=tuple(roots) if roots is not None else _default_roots(),
            intermediates=tuple(intermediates),
        )

    @classmethod
    def sandbox(cls, root_pem: bytes, certificate_url: str) -> WebhookTrust:
        """Trust the sandbox's own root, and certificates from the sandbox's host only."""
        return cls(
            hosts=frozenset({urlsplit(certificate_url).netloc.lower()}),
            roots=tuple(load_certificates(root_pem)),
            allow_http=True,
        )

    def check_url(self, url: str) -> None:
        """Refuse a certificate URL off the allowed hosts (or not HTTPS)."""
        parts = urlsplit(url)
        schemes = ("https", "http") if self.allow_http else ("https",)
        if parts.scheme.lower() not in schemes or parts.netloc.lower() not in self.hosts:
            raise WebhookRejectedError(
                f"the signing certificate is not on an allowed host: {url!r}",
                status=401,
                reason="certificate-host",
            )

    def check(self, chain: list[x509.Certificate], now: datetime) -> RSAPublicKey:
        """The signing key of ``chain[0]`` once the chain, subject and dates are checked."""
        leaf = chain[0]
        _in_date(leaf, now, "the signing certificate")
        names = leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        if [name.value for name in names] != [self.organization]:
            raise _untrusted(
                f"the signing certificate's subject is not {self.organization}: "
                f"{leaf.subject.rfc4514_string()}"
            )
        pool = [*chain[1:], *self.intermediates]
        current = leaf
        for _ in range(_MAX_CHAIN):
            for root in self._by_subject.get(current.issuer, ()):
                if _issued_by(current, root):
                    _in_date(root, now, "the root certificate")
                    key = leaf.public_key()
                    if not isinstance(key, RSAPublicKey):
                        raise _untrusted("the signing certificate's key is not RSA")
                    return key
            issuer = next(
                (
                    candidate
                    for candidate in pool
                    if candidate is not current
                    and candidate.subject == current.issuer
                    and candidate.subject != candidate.issuer
                    and _is_ca(candidate)
                    and _issued_by(current, candidate)
                ),
                None,
            )
            if issuer is None:
                what = "self-signed" if current.issuer == current.subject else "not issued"
                raise _untrusted(
                    f"the signing certificate is {what} by a trusted root "
                    f"(stops at {current.subject.rfc4514_string()})"
                )
            _in_date(issuer, now, "an intermediate certificate")
            current = issuer
        raise _untrusted("the signing certificate's chain is too long")


def _in_date(certificate: x509.Certificate, now: datetime, what: str) -> None:
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise _untrusted(
            f"{what} is not valid now (valid {certificate.not_valid_before_utc:%Y-%m-%d} to "
            f"{certificate.not_valid_after_utc:%Y-%m-%d})"
        )


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        return False
    return constraints.value.ca


def http_fetch(url: str) -> bytes:
    """Download a certificate (10 s timeout, no redirects: a redirect could leave the host)."""
    response = httpx.get(url, timeout=10.0, follow_redirects=False)
    response.raise_for_status()
    return response.content


@dataclass
class _Cached:
    key: RSAPublicKey
    not_after: datetime
    fetched_at: float


class CertificateStore:
    """Signing keys by certificate URL: fetched, checked against ``trust``, then cached.

    A cached key is reused until its certificate expires or ``cache_seconds`` pass. ``fetch``
    downloads a URL's bytes (tests and the sandbox pass their own); ``clock`` gives epoch seconds.
    """

    def __init__(
        self,
        trust: WebhookTrust,
        *,
        fetch: Callable[[str], bytes] = http_fetch,
        clock: Callable[[], float] = time.time,
        cache_seconds: float = CERTIFICATE_CACHE_SECONDS,
    ) -> None:
        self.trust = trust
        self._fetch = fetch
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()
        self.fetches = 0

    def key_for(self, url: str) -> RSAPublicKey:
        """The checked signing key at ``url`` (:class:`WebhookRejectedError` when untrusted)."""
        self.trust.check_url(url)
        now = self._clock()
        cached = self._cache.get(url)
        if cached is not None:
            moment = datetime.fromtimestamp(now, timezone.utc)
            if now - cached.fetched_at < self._cache_seconds and moment <= cached.not_after:
                return cached.key
        with self._lock:
            try:
                data = self._fetch(url)
            except (httpx.HTTPError, OSError) as error:
                raise WebhookRejectedError(
                    f"the signing certificate could not be fetched: {error}",
                    status=503,
                    reason="certificate-unavailable",
                ) from None
            self.fetches += 1
            chain = load_certificates(data)
            if not chain:
                raise _untrusted("the certificate document holds no certificate")
            key = self.trust.check(chain, datetime.fromtimestamp(now, timezone.utc))
            self._cache[url] = _Cached(key, chain[0].not_valid_after_utc, now)
            return key
