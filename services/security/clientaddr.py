"""The client's address for throttling: the peer, or what a trusted proxy says it forwarded.

``X-Forwarded-For`` is believed only when the direct peer is one of the proxies named in the
settings (``CHIBO_TRUSTED_PROXIES``); the list is then read from the right, skipping trusted
proxies, and the first other address is the client. A client cannot forge its own address by
sending the header itself, because its own address is then the peer and is not trusted.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=32)
def networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def is_trusted(address: str, trusted: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[str, ...]) -> str:
    """The address to count attempts against."""
    peer = peer or "unknown"
    nets = networks(trusted)
    if not forwarded_for or not nets or not is_trusted(peer, nets):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        if not is_trusted(hop, nets):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a garbled header: count the proxy itself
    return peer
