"""The base of Partner Center's resource models, and the collection and link shapes."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class PCModel(BaseModel):
    """A Partner Center resource: camelCase on the wire, unknown fields kept.

    Fields Partner Center adds later are kept (``extra="allow"``) and sent back unchanged when a
    resource is written as read (e.g. a subscription PATCH).
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        frozen=True,
    )

    #: Wire names of declared fields Partner Center sends only in some answers (a create's
    #: answer, a customer of a reseller, a denied vetting...): every other declared field is in
    #: every answer of the resource (``tests/sandbox/test_documented_fields.py`` checks).
    conditional_fields: ClassVar[frozenset[str]] = frozenset()

    def to_wire(self) -> dict[str, Any]:
        """The resource as Partner Center's JSON: camelCase, only the fields that were set."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")


class Attributes(PCModel):
    """``attributes``: the object type and (on writable resources) the etag."""

    object_type: str | None = None
    etag: str | None = None


class KeyValue(PCModel):
    """A header of a link (``{"key": "MS-ContinuationToken", "value": "..."}``)."""

    key: str
    value: str


class Link(PCModel):
    """A link to another page or resource: its URI, method and the headers to send with it."""

    uri: str
    method: str = "GET"
    headers: list[KeyValue] = Field(default_factory=list)


class Links(PCModel):
    """A collection's links (``next`` while more pages remain)."""

    self_: Link | None = Field(default=None, alias="self")
    next: Link | None = None
    previous: Link | None = None


ItemT = TypeVar("ItemT")


class Collection(PCModel, Generic[ItemT]):
    """One page of a Partner Center collection."""

    total_count: int | None = None
    items: list[ItemT] = Field(default_factory=list)
    links: Links | None = None
    attributes: Attributes | None = None

    @property
    def next_link(self) -> Link | None:
        """The next page's link, or None on the last page."""
        return self.links.next if self.links is not None else None
