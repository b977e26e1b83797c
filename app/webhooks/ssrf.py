"""Server-side request forgery guard: webhooks go to public addresses only.

A URL is checked when a webhook is created or changed, and again before every delivery, since
DNS can change in between; the delivery then connects to the address that was checked, so a
second lookup cannot swap in another one.
"""

import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

import httpx

IP = IPv4Address | IPv6Address
AllowList = Sequence[IPv4Network | IPv6Network | str]
Resolver = Callable[[str, int], list[IP]]


class Refused(Exception):
    """The URL may not be called; `reason` is an i18n key, `address` the offending one."""

    def __init__(self, reason: str, address: str = "") -> None:
        super().__init__(f"{reason} {address}".strip())
        self.reason = reason
        self.address = address


@dataclass(frozen=True)
class Target:
    url: httpx.URL  # the URL as given
    address: IP  # the checked address to connect to

    def pinned_url(self) -> httpx.URL:
        return self.url.copy_with(host=str(self.address))


def resolve(host: str, port: int) -> list[IP]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IP] = []
    for info in infos:
        address = ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def is_public(address: IP) -> bool:
    """Global unicast only: refuses loopback, private, link-local (cloud metadata at
    169.254.169.254), shared, reserved and multicast, also when wrapped in IPv6."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _allowed(address: IP, allowlist: AllowList) -> bool:
    plain = address.ipv4_mapped if isinstance(address, IPv6Address) else None
    for entry in allowlist:
        if isinstance(entry, str):
            continue
        if address in entry or (plain is not None and plain in entry):
            return True
    return is_public(address)


def parse(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as error:
        raise Refused("webhook.url-scheme") from error
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise Refused("webhook.url-scheme")
    if parsed.userinfo:
        raise Refused("webhook.url-credentials")
    return parsed


def check(url: str, allowlist: AllowList, resolver: Resolver = resolve) -> Target:
    """The URL and the address to call, or Refused. Every address the name resolves to must
    be public or allow-listed: round-robin DNS could hand out the private one later."""
    parsed = parse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    named = parsed.host.lower() in {e.lower() for e in allowlist if isinstance(e, str)}
    try:
        addresses = resolver(parsed.host, port)
    except (OSError, UnicodeError) as error:
        raise Refused("webhook.url-unresolved") from error
    if not addresses:
        raise Refused("webhook.url-unresolved")
    for address in addresses:
        if not named and not _allowed(address, allowlist):
            raise Refused("webhook.url-private", str(address))
    return Target(url=parsed, address=addresses[0])
