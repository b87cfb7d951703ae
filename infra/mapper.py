"""A typed msgspec mapper: domain events to stored bytes and back.

The library's default transcoder wraps every UUID, date and datetime in a tagged object and
decodes through Python callbacks. Here each event class gets a msgspec ``Struct`` built once
from its dataclass fields, so encoding is one C call and decoding validates the types as it
parses. The stored state is plain JSON (readable by an auditor with ``psql``) without the
originator id and version, which are columns already.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, cast
from uuid import UUID

import msgspec
from eventsourcing.persistence import (
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import get_topic, resolve_topic

_OMITTED = frozenset({"originator_id", "originator_version"})
_encoder = msgspec.json.Encoder()


class EventCodec(typing.NamedTuple):
    """How one event class is decoded: its class, a typed decoder and its field names."""

    cls: type[Any]
    decoder: msgspec.json.Decoder[Any]
    state_type: type[msgspec.Struct]
    fields: tuple[str, ...]


@cache
def codec_for_topic(topic: str) -> EventCodec:
    return codec_for_class(resolve_topic(topic))


@cache
def codec_for_class(cls: type[Any]) -> EventCodec:
    hints = typing.get_type_hints(cls)
    fields = tuple(f.name for f in dataclasses.fields(cls) if f.name not in _OMITTED)
    state_type = msgspec.defstruct(
        f"{cls.__qualname__}State",
        [(name, hints[name]) for name in fields],
        gc=False,
    )
    return EventCodec(cls, msgspec.json.Decoder(state_type), state_type, fields)


def encode_state(event: object) -> bytes:
    """The stored form of an event's state (everything but originator id and version)."""
    state = dict(vars(event))
    del state["originator_id"], state["originator_version"]
    class_version = getattr(type(event), "class_version", 1)
    if class_version > 1:
        state["class_version"] = class_version
    return _encoder.encode(state)


class MsgspecMapper(Mapper[UUID]):
    """Maps events with msgspec; keeps the library's cipher and compressor hooks."""

    def __init__(self, transcoder: Transcoder | None = None, **kwargs: Any) -> None:
        super().__init__(transcoder or _UnusedTranscoder(), **kwargs)

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        stored_state = encode_state(domain_event)
        if self.compressor:
            stored_state = self.compressor.compress(stored_state)
        if self.cipher:
            stored_state = self.cipher.encrypt(stored_state)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(type(domain_event)),
            state=stored_state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        state = stored_event.state
        try:
            if self.cipher:
                state = self.cipher.decrypt(state)
            if self.compressor:
                state = self.compressor.decompress(state)
            codec = codec_for_topic(stored_event.topic)
            values = _decode(codec, state)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError) as e:
            raise MapperDeserialisationError(
                f"Không đọc được sự kiện {stored_event.topic} #{stored_event.originator_version} "
                f"của {stored_event.originator_id} / Cannot decode stored event: {e}"
            ) from e
        values["originator_id"] = _as_uuid(stored_event.originator_id)
        values["originator_version"] = stored_event.originator_version
        event = object.__new__(codec.cls)
        object.__setattr__(event, "__dict__", values)
        return event


def _decode(codec: EventCodec, state: bytes) -> dict[str, Any]:
    class_version = getattr(codec.cls, "class_version", 1)
    if class_version == 1:
        decoded = codec.decoder.decode(state)
        return {name: getattr(decoded, name) for name in codec.fields}
    # An old version of the event: upcast the plain dict, then validate it as the current type.
    raw = cast(dict[str, Any], msgspec.json.decode(state))
    version = raw.pop("class_version", 1)
    while version < class_version:
        upcast: Callable[[dict[str, Any]], None] = getattr(
            codec.cls, f"upcast_v{version}_v{version + 1}"
        )
        upcast(raw)
        version += 1
    converted = msgspec.convert(raw, codec.state_type, strict=False)
    return {name: getattr(converted, name) for name in codec.fields}


def _as_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


class _UnusedTranscoder(Transcoder):
    """The base Mapper wants a transcoder; this mapper never calls it."""

    def encode(self, obj: Any) -> bytes:
        raise TypeError("MsgspecMapper encodes events itself")

    def decode(self, data: bytes) -> Any:
        raise TypeError("MsgspecMapper decodes events itself")
