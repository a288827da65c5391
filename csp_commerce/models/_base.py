"""The base every csp_commerce model shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Model(BaseModel):
    """A domain model: immutable, strict about unknown fields, camelCase on the wire.

    Input accepts both Partner Center's camelCase names and their snake_case twins;
    ``model_dump(by_alias=True)`` gives Partner Center's spelling back.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        # Build validators on first use, not at import: keeps `import csp_commerce` cheap.
        defer_build=True,
    )
