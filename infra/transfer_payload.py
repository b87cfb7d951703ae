"""The signed transfer payload (hồ sơ chuyển sinh hoạt đảng giữa các tỉnh): the only thing that crosses tenants.

The sending province exports what the receiving one needs to enrol the member (name, birth
date, status and dates, the letter), msgspec-encoded and signed with the sender's Ed25519 key.
The receiver verifies the signature against the sender's public key it trusts, and the payload's
destination, before anything is written. Nothing else of a province is ever read by another.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import date
from pathlib import Path
from uuid import UUID

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from domain.base import InvalidValue

FORMAT = "chibo.transfer.v1"


class TransferPayload(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    format: str
    from_province: str
    to_province: str
    member_id: UUID
    full_name: str
    birth_date: date
    gender: str
    status: str
    admitted_on: date
    official_on: date | None
    letter_number: str
    letter_on: date
    letter_due_on: date
    to_organisation: str
    party_card_number: str | None = None
    """Số thẻ đảng viên: the receiver checks it does not already hold it (issue 18)."""


class SignedPayload(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    payload: str
    """Base64 of the msgspec JSON bytes that were signed (kept as signed, never re-encoded)."""
    signature: str
    key_id: str
    """Fingerprint of the sender's public key, so the receiver picks the right trusted key."""


class PayloadRejected(InvalidValue):
    code = "transfer_payload_rejected"


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes_raw()
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(payload: TransferPayload, private_key: Ed25519PrivateKey) -> bytes:
    body = msgspec.json.encode(payload)
    signed = SignedPayload(
        payload=base64.b64encode(body).decode(),
        signature=base64.b64encode(private_key.sign(body)).decode(),
        key_id=key_id(private_key.public_key()),
    )
    return msgspec.json.encode(signed)


def digest(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()


def verify(
    document: bytes, trusted_keys: dict[str, Ed25519PublicKey], receiving_province: str
) -> TransferPayload:
    """Decode, check the signature against a trusted key and the destination; or refuse."""
    try:
        signed = msgspec.json.decode(document, type=SignedPayload)
        body = base64.b64decode(signed.payload, validate=True)
        signature = base64.b64decode(signed.signature, validate=True)
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as error:
        raise reject(
            "Hồ sơ chuyển không đọc được", f"the payload cannot be read: {error}"
        ) from error
    public_key = trusted_keys.get(signed.key_id)
    if public_key is None:
        raise reject("Khóa ký của tỉnh gửi chưa được tin cậy", "the signing key is not trusted")
    try:
        public_key.verify(signature, body)
    except InvalidSignature as error:
        raise reject("Chữ ký không hợp lệ: hồ sơ đã bị sửa", "bad signature: altered") from error
    payload = msgspec.json.decode(body, type=TransferPayload)
    if payload.format != FORMAT:
        raise reject(f"Định dạng không hỗ trợ: {payload.format}", f"unsupported {payload.format}")
    if payload.to_province != receiving_province:
        raise reject(
            f"Hồ sơ gửi cho tỉnh «{payload.to_province}», không phải tỉnh này",
            f"the payload is addressed to '{payload.to_province}', not '{receiving_province}'",
        )
    return payload


def reject(vi: str, en: str) -> PayloadRejected:
    return PayloadRejected(vi, en, field="document")


def _key_dir(data_dir: Path) -> Path:
    return data_dir / "transfer-keys"


def province_key(data_dir: Path, slug: str) -> Ed25519PrivateKey:
    """The province's signing key, created on first use (owner-only file) with its public half.

    Provinces hosted elsewhere are trusted by an operator placing their ``<slug>.pub`` (raw
    32 bytes) in the same folder; the private key never leaves its installation.
    """
    folder = _key_dir(data_dir)
    path = folder / f"{slug}.key"
    if path.exists():
        return Ed25519PrivateKey.from_private_bytes(path.read_bytes())
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(raw)
    (folder / f"{slug}.pub").write_bytes(key.public_key().public_bytes_raw())
    return key


def trusted_keys(data_dir: Path) -> dict[str, Ed25519PublicKey]:
    keys: dict[str, Ed25519PublicKey] = {}
    folder = _key_dir(data_dir)
    if folder.is_dir():
        for path in sorted(folder.glob("*.pub")):
            public = Ed25519PublicKey.from_public_bytes(path.read_bytes())
            keys[key_id(public)] = public
    return keys
