"""Wire types shared by the features: the bodies' common constraints and base, and views filled
from domain objects.

Most of a view's fields are the aggregate's attributes under the same name; listing each
(``full_name=member.full_name``…) in every adapter was the same code many times over.
:func:`view_of` copies those and takes the rest (computed, renamed, converted) as keywords.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import msgspec

V = TypeVar("V", bound=msgspec.Struct)

# -- what a client sends: the constraints every feature's bodies share ------------------------

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Count = Annotated[int, msgspec.Meta(ge=0, le=100_000)]
Version = int | None


class Command(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A command's body: its fields, and the version of the record the client last saw."""

    expected_version: Version = None
    """A different stored version is refused with 409."""


# -- what a client reads: views filled from the aggregate --------------------------------------


def view_of(view: type[V], source: object, **computed: Any) -> V:
    """``view`` with each field not in ``computed`` read from ``source``'s attribute of that
    name. A field the source lacks raises ``AttributeError``: a view never falls back to its
    default silently."""
    copied = {
        name: getattr(source, name) for name in view.__struct_fields__ if name not in computed
    }
    return view(**copied, **computed)
