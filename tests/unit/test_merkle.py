"""Merkle trees of seals: RFC 6962 roots, the one-pass builder, inclusion proofs."""

from __future__ import annotations

from hashlib import sha256

import pytest

from infra.audit.merkle import (
    CHUNK,
    EMPTY_ROOT,
    MerkleBuilder,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    verify_inclusion,
)

pytestmark = pytest.mark.unit

RFC6962_LEAVES = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
              "606162636465666768696a6b6c6d6e6f")
]  # fmt: skip


def leaves(n: int) -> list[bytes]:
    return [sha256(i.to_bytes(8, "big")).digest() for i in range(n)]


def built(data: list[bytes], step: int = 1) -> bytes:
    builder = MerkleBuilder()
    for start in range(0, len(data), step):
        builder.add_leaf_hashes([leaf_hash(d) for d in data[start : start + step]])
    assert builder.count == len(data)
    return builder.root()


def test_roots_match_the_certificate_transparency_test_vectors():
    assert merkle_root([]) == EMPTY_ROOT == sha256(b"").digest()
    assert merkle_root(RFC6962_LEAVES[:1]).hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert merkle_root(RFC6962_LEAVES).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )


@pytest.mark.parametrize("size", [*range(0, 40), 63, 64, 65, 127, 128, 129])
def test_builder_gives_the_recursive_root(size):
    data = leaves(size)
    assert built(data) == merkle_root(data)


@pytest.mark.parametrize("size", [CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 5, 3 * CHUNK - 7])
@pytest.mark.parametrize("step", [1, 1000, CHUNK])
def test_builder_across_chunk_boundaries_in_any_batch_size(size, step):
    data = leaves(size)
    assert built(data, step) == merkle_root(data)


def test_root_can_be_read_while_building_and_building_goes_on():
    data = leaves(CHUNK + 10)
    builder = MerkleBuilder()
    builder.add_leaf_hashes([leaf_hash(d) for d in data[:7]])
    assert builder.root() == merkle_root(data[:7])
    builder.add_leaf_hashes([leaf_hash(d) for d in data[7:]])
    assert builder.root() == merkle_root(data)


def test_any_change_of_a_leaf_or_of_order_changes_the_root():
    data = leaves(9)
    root = merkle_root(data)
    assert merkle_root([*data[:4], b"x" * 32, *data[5:]]) != root
    assert merkle_root([data[1], data[0], *data[2:]]) != root
    assert merkle_root(data[:8]) != root


def test_a_leaf_cannot_pass_for_an_inner_node():
    """Domain separation: the two children of a node, given as one leaf, give another root."""
    a, b = leaves(2)
    assert merkle_root([a, b]) != merkle_root([leaf_hash(a) + leaf_hash(b)])


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 13, 21])
def test_inclusion_proofs_verify_for_every_leaf(size):
    data = leaves(size)
    root = merkle_root(data)
    for index in range(size):
        proof = inclusion_proof(data, index)
        assert verify_inclusion(data[index], index, size, proof, root)
        assert not verify_inclusion(b"forged", index, size, proof, root)
        if size > 1:
            assert not verify_inclusion(data[index], (index + 1) % size, size, proof, root)


def test_inclusion_proof_rejects_out_of_range_and_truncated_proofs():
    data = leaves(6)
    root = merkle_root(data)
    proof = inclusion_proof(data, 4)
    assert not verify_inclusion(data[4], 6, 6, proof, root)
    assert not verify_inclusion(data[4], 4, 6, proof[:-1], root)
    with pytest.raises(IndexError):
        inclusion_proof(data, 6)
