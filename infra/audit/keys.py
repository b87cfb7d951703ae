"""Per-tenant Ed25519 signing keys for seals (khóa ký niêm phong), kept outside the database.

A seal is only worth something if whoever can rewrite the database cannot also sign. So the
private key is *not* in the tenant schema nor the catalog: it is a PKCS#8 PEM file per tenant
under a key folder (``<data dir>/seal-keys`` by default), created with mode 0600 at first use.
In production that folder is a Kubernetes Secret mounted read-only (keys generated once with
``chibo audit seal`` on a provisioning job, or by the operator), or the signing moves to a KMS /
HSM that never releases the key; :class:`KeyStore` is the seam for that. The public key travels
inside every seal, and the inspector keeps its fingerprint (``key_id``).
"""

from __future__ import annotations

import os
from hashlib import sha256
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from infra.tenancy import check_slug


class KeyStore(Protocol):
    def signing_key(self, slug: str) -> Ed25519PrivateKey:
        """The tenant's key, created at first use."""

    def public_key(self, slug: str) -> Ed25519PublicKey | None:
        """The tenant's public key, or ``None`` if it has never sealed."""


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: bytes) -> str:
    """A short fingerprint of a raw public key: the first 16 hex digits of its SHA-256."""
    return sha256(public).hexdigest()[:16]


class FileKeyStore:
    """One PEM file per tenant in ``directory`` (a mounted Secret in production)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, slug: str) -> Path:
        check_slug(slug)
        return self.directory / f"{slug}.ed25519.pem"

    def signing_key(self, slug: str) -> Ed25519PrivateKey:
        path = self._path(slug)
        if not path.exists():
            self._create(path)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise TypeError(f"{path} does not hold an Ed25519 key")
        return key

    def public_key(self, slug: str) -> Ed25519PublicKey | None:
        path = self._path(slug)
        return self.signing_key(slug).public_key() if path.exists() else None

    def _create(self, path: Path) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Written aside then hard-linked into place: if two processes race, exactly one key
        # wins (link refuses to overwrite) and nobody ever reads a half-written file.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()


def key_store_for(data_dir: Path) -> FileKeyStore:
    return FileKeyStore(data_dir / "seal-keys")
