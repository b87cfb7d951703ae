"""Views from domain objects: a wire struct filled from the aggregate's attributes of its names.

Most of a view's fields are the aggregate's attributes under the same name; listing each
(``full_name=member.full_name``…) in every adapter was the same code many times over.
:func:`view_of` copies those and takes the rest (computed, renamed, converted) as keywords.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

V = TypeVar("V", bound=msgspec.Struct)


def view_of(view: type[V], source: object, **computed: Any) -> V:
    """``view`` with each field not in ``computed`` read from ``source``'s attribute of that
    name. A field the source lacks raises ``AttributeError``: a view never falls back to its
    default silently."""
    copied = {
        name: getattr(source, name) for name in view.__struct_fields__ if name not in computed
    }
    return view(**copied, **computed)
