"""The one input check every request passes before its handler (kiểm tra dữ liệu đầu vào).

Wire types say what a field is; this layer refuses, with a 400 that names the field, what no
field may hold, whatever the route:

- control characters (U+0000–U+001F, U+007F–U+009F) in any text: a NUL cannot be stored by
  PostgreSQL, so one accepted into the immutable log stopped read models for good. Long texts
  (no declared limit, or one over :data:`SHORT_TEXT` characters: minutes, opinions, reasons)
  may hold line breaks and tabs; names and other short fields may not;
- a body that is not UTF-8, or JSON nested deeper than :data:`MAX_DEPTH`;
- integers beyond 64 bits in a body, and in a path or query parameter that declares no upper
  bound, anything but a whole number within 32 bits (routes whose integers are log positions
  declare ``le`` themselves). Larger numbers used to reach PostgreSQL and fail there as 500s.

The body is decoded once here to walk it beside the handler's declared type
(``msgspec.inspect``), then handed on unchanged; the handler decodes and validates it as usual.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from msgspec import inspect as mi

from domain.base import InvalidValue
from services.errors import body as error_body
from services.security.middleware import (
    COMMAND_METHODS,
    read_body,
    replay_receive,
    send_json,
)

SHORT_TEXT = 200
MAX_DEPTH = 32
INT32 = 2**31 - 1
INT64 = 2**63 - 1
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,20}")


class BadInput(InvalidValue):
    """A request field holds what no field may hold (HTTP 400); ``details.field`` names it."""

    code = "invalid_input"


def control_character(field: str, char: str) -> BadInput:
    point = f"U+{ord(char):04X}"
    return BadInput(
        f"Trường {field} chứa ký tự điều khiển {point}; hãy bỏ ký tự đó",
        f"field {field} contains the control character {point}; remove it",
        field=field,
        character=point,
    )


def out_of_range(field: str, limit: int) -> BadInput:
    return BadInput(
        f"Trường {field} phải là số nguyên từ {-limit - 1} đến {limit}",
        f"field {field} must be a whole number from {-limit - 1} to {limit}",
        field=field,
    )


def check_text(field: str, value: str, long: bool) -> None:
    found = (_CONTROL_BUT_LINES if long else _ANY_CONTROL).search(value)
    if found is not None:
        raise control_character(field, found.group())


# -- bodies -----------------------------------------------------------------------------------


def check_body(raw: bytes, declared: Any) -> None:
    """Decode ``raw`` (JSON) and walk it beside the ``declared`` type; raise :class:`BadInput`."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadInput(
            f"Dữ liệu gửi lên không phải UTF-8 (byte {error.start})",
            f"the request body is not valid UTF-8 (byte {error.start})",
            field="body",
        ) from None
    try:
        value = msgspec.json.decode(raw)
    except RecursionError:
        raise too_deep("body") from None
    except msgspec.DecodeError:
        return  # malformed JSON: the handler's decoder answers that, with its position
    _walk(value, _type_info(declared), "$", 0)


def too_deep(field: str) -> BadInput:
    return BadInput(
        f"Dữ liệu lồng quá {MAX_DEPTH} tầng ở {field}",
        f"the data is nested more than {MAX_DEPTH} levels deep at {field}",
        field=field,
    )


@cache
def _type_info(declared: Any) -> mi.Type:
    try:
        return mi.type_info(declared)
    except (TypeError, ValueError):
        return mi.AnyType()


def _members(t: mi.Type) -> tuple[mi.Type, ...]:
    return t.types if isinstance(t, mi.UnionType) else (t,)


def _is_long(t: mi.Type) -> bool:
    texts = [m for m in _members(t) if isinstance(m, mi.StrType)]
    return not texts or any(m.max_length is None or m.max_length > SHORT_TEXT for m in texts)


def _item(t: mi.Type) -> mi.Type:
    for m in _members(t):
        if isinstance(m, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
            return m.item_type
    return mi.AnyType()


def _field(t: mi.Type, name: str) -> mi.Type:
    for m in _members(t):
        if isinstance(m, mi.StructType | mi.DataclassType | mi.TypedDictType):
            for f in m.fields:
                if f.encode_name == name:
                    return f.type
        if isinstance(m, mi.DictType):
            return m.value_type
    return mi.AnyType()


def _walk(value: Any, t: mi.Type, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise too_deep(path)
    if isinstance(value, str):
        check_text(path, value, _is_long(t))
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -INT64 - 1 <= value <= INT64:
            raise out_of_range(path, INT64)
    elif isinstance(value, list):
        item = _item(t)
        for index, element in enumerate(value):
            _walk(element, item, f"{path}[{index}]", depth + 1)
    elif isinstance(value, dict):
        for key, element in value.items():
            check_text(f"{path} (tên trường / key)", key, long=False)
            _walk(element, _field(t, key), f"{path}.{key}", depth + 1)


# -- path and query parameters ----------------------------------------------------------------


def _declared_int(definition: Any) -> bool:
    annotation = definition.annotation
    if annotation is int:
        return True
    return bool(definition.is_optional) and int in getattr(definition, "args", ())


def _bound(definition: Any) -> bool:
    kwarg = definition.kwarg_definition
    return kwarg is not None and (getattr(kwarg, "le", None) is not None or kwarg.lt is not None)


def check_parameters(scope: Scope, handler: Any) -> None:
    """Query and path values: UTF-8, no control character, integers in range."""
    try:
        pairs = parse_qsl(
            scope.get("query_string", b"").decode("latin-1"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
        )
    except UnicodeDecodeError:
        raise BadInput(
            "Tham số truy vấn không phải UTF-8",
            "a query parameter is not valid UTF-8",
            field="query",
        ) from None
    ints = _int_parameters(handler)
    for name, value in pairs:
        check_text(name, name, long=False)
        check_text(name, value, long=False)
        if name in ints:
            _check_whole_number(name, value)
    for name, value in (scope.get("path_params") or {}).items():
        if isinstance(value, str):
            check_text(name, value, long=False)
        elif isinstance(value, int) and name in ints and not -INT32 - 1 <= value <= INT32:
            raise out_of_range(name, INT32)


def _check_whole_number(name: str, value: str) -> None:
    if not _WHOLE_NUMBER.fullmatch(value) or not -INT32 - 1 <= int(value) <= INT32:
        raise out_of_range(name, INT32)


_INTS: dict[int, tuple[Any, frozenset[str]]] = {}
"""By ``id()``, with the handler kept beside its names and compared: a test builds many
applications, and a gone handler's id may be reused by another one (seen: a stale entry let an
out-of-range integer through to PostgreSQL). Not a weak mapping: Litestar's generated OPTIONS
handlers cannot be weakly referenced."""


def _int_parameters(handler: Any) -> frozenset[str]:
    """Names (as sent) of the handler's integer parameters that declare no upper bound."""
    if handler is None:
        return frozenset()
    cached = _INTS.get(id(handler))
    if cached is not None and cached[0] is handler:
        return cached[1]
    names = set()
    for name, definition in handler.parsed_fn_signature.parameters.items():
        if name == "data" or not _declared_int(definition) or _bound(definition):
            continue
        kwarg = definition.kwarg_definition
        names.add(getattr(kwarg, "query", None) or name)
    found = frozenset(names)
    _INTS[id(handler)] = (handler, found)
    return found


def _body_type(handler: Any) -> Any:
    if handler is None:
        return None
    definition = handler.parsed_fn_signature.parameters.get("data")
    return None if definition is None else definition.annotation


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return b"json" in value.lower()
    return True  # no content type: the handler reads it as JSON


class InputGuardMiddleware:
    """Refuse with 400 what :mod:`services.input_guard` forbids, before any handler runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        handler = scope.get("route_handler")
        try:
            check_parameters(scope, handler)
            declared = _body_type(handler)
            if declared is not None and scope.get("method") in COMMAND_METHODS:
                raw = await read_body(receive)
                if raw is None:
                    await send_json(
                        send,
                        413,
                        error_body(
                            "request_too_large",
                            "Dữ liệu gửi lên quá lớn",
                            "the request body is too large",
                        ),
                    )
                    return
                if raw and _is_json(scope):
                    check_body(raw, declared)
                receive = replay_receive(raw)
        except BadInput as error:
            await send_json(send, 400, error_body(error.code, error.vi, error.en, error.details))
            return
        await self.app(scope, receive, send)
