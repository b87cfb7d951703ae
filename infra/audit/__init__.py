"""Tamper evidence for each province's log (nhật ký kiểm tra): hash chain, seals, verifier, guard.

The event log is the audit trail. These modules make it *prove itself* to an inspector who does
not trust the operator: a SHA-256 chain over every stored event, Merkle roots over ranges of it
signed with a per-tenant Ed25519 key (seals an inspector keeps outside the system), a verifier
that names the first altered, removed or inserted event, and triggers that make the database
refuse UPDATE, DELETE and TRUNCATE on the log. Time travel and replay read the same log.
"""
