"""Merkle trees (cây Merkle) as in RFC 6962 / RFC 9162, over the chain entries of a seal's range.

Leaves are hashed as ``SHA-256(0x00 || data)`` and inner nodes as ``SHA-256(0x01 || left ||
right)``; the split is at the largest power of two below the size. The domain separation keeps
a leaf from ever passing for an inner node. :class:`MerkleBuilder` computes the root in one pass
with a stack of complete subtrees (memory grows with log2 of the size), which is how the
verifier folds millions of entries without holding them; :func:`merkle_root` is the recursive
definition, kept as the reference the tests compare against.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256

EMPTY_ROOT = sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two strictly below ``size`` (size ≥ 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """The root over leaf *data* by the recursive definition (RFC 9162 §2.1.1)."""
    if not leaves:
        return EMPTY_ROOT
    return _root_of_hashes([leaf_hash(d) for d in leaves])


def _root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(_root_of_hashes(hashes[:k]), _root_of_hashes(hashes[k:]))


CHUNK = 4096
"""Leaves are folded a chunk at a time, level by level, which is several times faster in
Python than merging a stack per leaf; a chunk is a complete subtree because it is a power of
two and always starts at a multiple of itself."""


class MerkleBuilder:
    """Adds leaves one by one or in lists and gives the same root as :func:`merkle_root`."""

    __slots__ = ("_buffer", "_stack", "count")

    def __init__(self) -> None:
        # (size, hash) of complete subtrees, sizes strictly decreasing powers of two: the
        # binary digits of the number of leaves folded so far (a multiple of CHUNK).
        self._stack: list[tuple[int, bytes]] = []
        self._buffer: list[bytes] = []
        self.count = 0

    def add(self, data: bytes) -> None:
        self.add_leaf_hashes([leaf_hash(data)])

    def add_leaf_hash(self, digest: bytes) -> None:
        self.add_leaf_hashes([digest])

    def add_leaf_hashes(self, digests: Sequence[bytes]) -> None:
        self.count += len(digests)
        buffer = self._buffer
        buffer.extend(digests)
        while len(buffer) >= CHUNK:
            _push(self._stack, CHUNK, _complete_root(buffer[:CHUNK]))
            del buffer[:CHUNK]

    def root(self) -> bytes:
        stack = list(self._stack)
        rest = self._buffer
        # The unfolded tail splits into complete subtrees by the binary digits of its length.
        start = 0
        while start < len(rest):
            size = 1 << (len(rest) - start).bit_length() - 1
            _push(stack, size, _complete_root(rest[start : start + size]))
            start += size
        if not stack:
            return EMPTY_ROOT
        digest = stack[-1][1]
        for _, left in reversed(stack[:-1]):
            digest = node_hash(left, digest)
        return digest


def _push(stack: list[tuple[int, bytes]], size: int, digest: bytes) -> None:
    while stack and stack[-1][0] == size:
        digest = node_hash(stack.pop()[1], digest)
        size <<= 1
    stack.append((size, digest))


def _complete_root(level: list[bytes]) -> bytes:
    """The root of a power-of-two number of leaf hashes."""
    while len(level) > 1:
        level = [
            sha256(b"\x01" + left + right).digest()
            for left, right in zip(level[::2], level[1::2], strict=True)
        ]
    return level[0]


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` (RFC 9162 §2.1.3), from the leaf up."""
    if not 0 <= index < len(leaves):
        raise IndexError(index)
    return _path(index, [leaf_hash(d) for d in leaves])


def _path(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = _split(len(hashes))
    if index < k:
        return [*_path(index, hashes[:k]), _root_of_hashes(hashes[k:])]
    return [*_path(index - k, hashes[k:]), _root_of_hashes(hashes[:k])]


def verify_inclusion(
    data: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``data`` is leaf ``index`` of a tree of ``size`` leaves with this ``root``."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    digest = leaf_hash(data)
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            digest = node_hash(sibling, digest)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            digest = node_hash(digest, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and digest == root
