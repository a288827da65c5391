"""The command's settings: a JSON file (``config.json``, or a profile) under the environment.

Read with pydantic-settings: each setting comes from ``CSP_COMMERCE_<NAME>`` when set, else from
the file, else its default; the client secret is a ``SecretStr`` (never printed, and scrubbed
from every message). A **profile** is a named settings file, ``<home>/profiles/<NAME>.json``,
chosen with ``--profile NAME`` (or ``$CSP_COMMERCE_PROFILE``): it names its target (the sandbox,
or a live partner and cloud) and may name its own database and token store, so one machine
can serve several partners, or the sandbox and a partner, without exporting variables.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from csp_commerce.errors import ConfigurationError

if TYPE_CHECKING:
    from pathlib import Path

PROFILE_ENV = "CSP_COMMERCE_PROFILE"
PROFILES_DIR = "profiles"


class CommandSettings(BaseSettings):
    """Where the command works and with which credentials (file keys are these names)."""

    model_config = SettingsConfigDict(env_prefix="CSP_COMMERCE_", extra="forbid")

    #: The real Partner Center (a profile's default target), instead of the sandbox.
    live: bool = False
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    token_store: str | None = None
    cloud: str | None = None
    database: str | None = None
    #: The partner's GDAP template (a JSON file, relative to the settings file): asked of every
    #: tenant an order creates, and applied by ``gdap request`` and ``gdap apply-template``.
    gdap_template: str | None = None
    #: ``enableGDAPByDefault`` for the tenants orders create (absent: not sent).
    enable_gdap_by_default: bool | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file, which wins over the defaults.
        return (env_settings, init_settings)


def load_settings(path: Path | None) -> CommandSettings:
    """The settings from ``path`` (a JSON object; absent: none) under the environment.

    A file that cannot be read, is not a JSON object or holds an unknown or mistyped setting is a
    :class:`ConfigurationError` naming the file and the setting, never showing a value.
    """
    values: Any = {}
    if path is not None and path.exists():
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ConfigurationError(f"cannot read {path}: {error}") from None
        if not isinstance(values, dict):
            raise ConfigurationError(f"{path} must hold a JSON object")
    try:
        return CommandSettings(**values)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: "
            + ("unknown setting" if item["type"] == "extra_forbidden" else item["msg"])
            for item in error.errors(include_url=False, include_input=False)
        )
        raise ConfigurationError(f"{path or 'the environment'}: {problems}") from None


def profile_path(home: Path, name: str) -> Path:
    """The file of profile ``name``; a :class:`ConfigurationError` when there is none."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ConfigurationError(f"{name!r} is not a profile name")
    path = home / PROFILES_DIR / f"{name}.json"
    if not path.is_file():
        known = ", ".join(profile_names(home)) or "none yet"
        raise ConfigurationError(f"no profile {name!r} in {path.parent} (known: {known})")
    return path


def profile_names(home: Path) -> list[str]:
    """The profiles kept in ``home``, by name."""
    return sorted(path.stem for path in (home / PROFILES_DIR).glob("*.json"))
