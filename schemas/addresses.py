"""Which network addresses are private: the one SSRF check, shared by every outbound request.

Feeds redirect (sources/fetch.py) and webhook targets (sinks/delivery/security.py) are both URLs a
stranger can choose, and both would make buysignal send a request from inside the operator's
network: to its database port, an admin page, or the cloud metadata service. Both ask this module
whether an address is one of those.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

__all__ = ["Address", "host_addresses", "unsafe_reason"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Addresses that are "global" by the IANA registries but still reach cloud metadata services.
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_SHARED_V4 = ipaddress.ip_network("100.64.0.0/10")


def unsafe_reason(address: Address) -> str | None:
    """Why sending to this address would reach something private, or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            inner = unsafe_reason(mapped)
            return f"maps to {mapped} ({inner})" if inner else None
        if address.teredo is not None:
            return "a Teredo tunnel address"
    if address in _METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED_V4:
        return "a shared (carrier-grade NAT) address"
    if address.is_private:
        return "a private address"
    if address.is_reserved or not address.is_global:
        return "a reserved address"
    return None


def literal_address(host: str) -> Address | None:
    """`host` as an IP address when it is written as one (a zone index like %eth0 is dropped)."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def host_addresses(url: str) -> tuple[str, list[Address]]:
    """The host of an http(s) URL and every address it resolves to (OSError when it resolves to
    none, ValueError when the URL has no host or a bad port)."""
    parts = urlsplit(url.strip())
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise ValueError(f"{url!r} has no host")
    literal = literal_address(host)
    if literal is not None:
        return host, [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:
        raise OSError(f"{host!r} is not a valid host name ({exc})") from exc
    addresses: list[Address] = []
    for info in infos:
        address = literal_address(str(info[4][0]))
        if address is not None and address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OSError(f"{host} resolves to no address")
    return host, addresses
