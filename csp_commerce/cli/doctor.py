"""``csp-commerce doctor``: is this machine ready to work with Partner Center?

Checks, each reported as ok, warn or fail with what to do: the data directory (exists or can be
made, writable), the local state (the ledger, the MCA evidence log and, on the sandbox, the
sandbox's world open), and then the Partner Center the command talks to: the credentials are
configured, a token is issued (and when it expires), Partner Center answers, and this machine's
clock agrees with Partner Center's (tokens are refused when it is off by minutes). Exit 0 when
nothing failed, 1 otherwise. Nothing is changed in Partner Center.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_INVALID, EXIT_OK, _env
from csp_commerce.cli._render import emit
from csp_commerce.cli.prices import add_format
from csp_commerce.errors import CSPCommerceError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

#: A clock further off than this makes Entra ID refuse or mistime tokens.
MAX_SKEW_SECONDS = 120.0


@dataclass
class Check:
    """One check's verdict: ``ok``, ``warn`` or ``fail``, and what was found."""

    name: str
    status: str
    detail: str


def register(subparsers: Any) -> None:
    """Add ``doctor`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "doctor", help="check the data directory, credentials, token, connectivity and clock",
        description=__doc__,
    )  # fmt: skip
    add_format(parser, "table", "json")
    _env.add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """``doctor``."""
    checks: list[Check] = []
    env = _env.Environment.from_args(args)
    with env:
        _check(checks, "data directory", lambda: _writable(env))
        _check(checks, "ledger", lambda: f"{len(env.ledger.unfinished())} unfinished order(s)")
        _check(checks, "MCA evidence log", lambda: _mca(env))
        if not env.live:
            _check(checks, "sandbox world", lambda: f"{len(env.sandbox.world.customers)} customers")
        if _check(checks, "credentials", lambda: _credentials(env)):
            _check(checks, "token", lambda: _token(env))
            _check(checks, "Partner Center", lambda: _reachable(env))
            if env.live:
                _check(checks, "clock", lambda: _clock(env))
    rows = [(check.name, check.status, check.detail) for check in checks]
    failed = sum(check.status == "fail" for check in checks)
    emit(args.format, f"doctor: {env.target_name}", ("check", "status", "detail"), rows,
         [check.__dict__ for check in checks])  # fmt: skip
    return EXIT_INVALID if failed else EXIT_OK


def _check(checks: list[Check], name: str, probe: Callable[[], str | Warn]) -> bool:
    """Run ``probe``: its text is an ok's detail, a :class:`Warn` it returns a warn, and an
    error it raises a fail (the message is the detail). True when the check did not fail."""
    try:
        found = probe()
    except (CSPCommerceError, OSError, ValueError) as error:
        checks.append(Check(name, "fail", f"{type(error).__name__}: {error}"))
        return False
    if isinstance(found, Warn):
        checks.append(Check(name, "warn", found.detail))
    else:
        checks.append(Check(name, "ok", found))
    return True


@dataclass
class Warn:
    """A finding that does not stop work but needs attention."""

    detail: str


def _writable(env: _env.Environment) -> str:
    env.home.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=env.home, prefix=".doctor-"):
        pass
    return str(env.home)


def _credentials(env: _env.Environment) -> str:
    if not env.live:
        return "the sandbox's built-in credential"
    settings = env.live_settings()
    client = env.client  # raises ConfigurationError naming what is missing
    kind = type(client.credential).__name__
    return f"{kind} for tenant {settings['tenant_id']} ({settings.get('cloud') or 'global'} cloud)"


def _token(env: _env.Environment) -> str | Warn:
    token = env.client.credential.get_token(env.client.scope)
    left = float(token.expires_on) - time.time()
    if left < 300:
        return Warn(f"issued, but expires in {left:.0f} s")
    return f"issued; expires in {left / 60:.0f} min"


def _reachable(env: _env.Environment) -> str:
    started = time.perf_counter()
    link = env.client.relationships.request_link()
    elapsed = (time.perf_counter() - started) * 1000
    return f"answered in {elapsed:.0f} ms (relationship link {'present' if link.url else 'empty'})"


def _clock(env: _env.Environment) -> str | Warn:
    import httpx

    with httpx.Client(timeout=10) as http:
        response = http.head(env.client.base_url)
    date = response.headers.get("date")
    if not date:
        return Warn("Partner Center's answer had no Date header to compare with")
    skew = time.time() - parsedate_to_datetime(date).timestamp()
    if abs(skew) > MAX_SKEW_SECONDS:
        raise ValueError(f"this machine's clock is {skew:+.0f} s off Partner Center's; sync it")
    return f"{skew:+.0f} s from Partner Center's"


def _mca(env: _env.Environment) -> str:
    result = env.mca_log.verify()
    if not result.ok:
        raise ValueError(f"the chain is broken at entry {result.broken_seq}: {result.reason}")
    return f"{result.checked} entries, chain intact"
