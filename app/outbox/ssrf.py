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

from app.i18n import N_

IP = IPv4Address | IPv6Address
AllowList = Sequence[IPv4Network | IPv6Network | str]
Resolver = Callable[[str, int], list[IP]]


# Why a URL is refused: a stable code (logs, tests) and the message a person reads.
REASONS = {
    "webhook.url-scheme": N_("Use an absolute http or https URL."),
    "webhook.url-credentials": N_(
        "Put no user name or password in the URL: deliveries are signed instead."
    ),
    "webhook.url-unresolved": N_("The host name does not resolve to an address."),
    "webhook.url-private": N_(
        "The host resolves to {address}, a loopback, private, link-local or other "
        "non-public address; an operator may allow it in PANTAU_WEBHOOK_ALLOWLIST."
    ),
}


class Refused(Exception):
    """The URL may not be called; `reason` is a code of REASONS, `address` the offending one."""

    def __init__(self, reason: str, address: str = "") -> None:
        super().__init__(f"{reason} {address}".strip())
        self.reason = reason
        self.address = address

    @property
    def message(self) -> str:
        return REASONS[self.reason]


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


# IPv6 forms that carry an IPv4 address, which is where the packet ends up: NAT64 (RFC 6052,
# the well-known and the local-use prefixes), 6to4 (RFC 3056), Teredo (RFC 4380), and the
# IPv4-compatible and SIIT-translated forms. IPv4-mapped is Python's `ipv4_mapped`.
NAT64 = IPv6Network("64:ff9b::/96")
NAT64_LOCAL = IPv6Network("64:ff9b:1::/48")
COMPATIBLE = IPv6Network("::/96")
TRANSLATED = IPv6Network("::ffff:0:0:0/96")
# The local-use prefix may be used at any RFC 6052 prefix length: each one puts the IPv4
# address elsewhere, so each candidate is judged.
NAT64_LENGTHS = (48, 56, 64, 96)


def _low32(address: IPv6Address) -> IPv4Address:
    return IPv4Address(int(address) & 0xFFFFFFFF)


def _rfc6052(address: IPv6Address, prefix_length: int) -> IPv4Address:
    """The IPv4 address after a NAT64 prefix of this length (RFC 6052 section 2.2)."""
    if prefix_length == 96:
        return _low32(address)
    bits = int(address)
    squeezed = ((bits >> 64) << 56) | (bits & ((1 << 56) - 1))  # bits 64-71 are reserved
    return IPv4Address((squeezed >> (120 - prefix_length - 32)) & 0xFFFFFFFF)


def embedded(address: IP) -> tuple[IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries (every candidate, when unsure)."""
    if isinstance(address, IPv4Address):
        return ()
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address.teredo is not None:
        return address.teredo  # (server, client): the client is de-obfuscated already
    if address.sixtofour is not None:
        return (address.sixtofour,)
    if address in NAT64_LOCAL:
        return tuple(_rfc6052(address, length) for length in NAT64_LENGTHS)
    if any(address in network for network in (NAT64, COMPATIBLE, TRANSLATED)):
        return (_low32(address),)
    return ()


def is_public(address: IP) -> bool:
    """Global unicast only: refuses loopback, private, link-local (cloud metadata at
    169.254.169.254), shared, reserved and multicast; an IPv6 form that carries an IPv4
    address is judged by every IPv4 address it carries."""
    inside = embedded(address)
    if inside:
        return all(is_public(carried) for carried in inside)
    return address.is_global and not address.is_multicast


def _listed(address: IP, allowlist: AllowList) -> bool:
    return any(not isinstance(entry, str) and address in entry for entry in allowlist)


def _allowed(address: IP, allowlist: AllowList) -> bool:
    if _listed(address, allowlist):
        return True
    inside = embedded(address)
    if inside:
        return all(_allowed(carried, allowlist) for carried in inside)
    return is_public(address)


def _shown(address: IP) -> str:
    """The address as refused, with the IPv4 address it carries: "64:ff9b::7f00:1 (127.0.0.1)"."""
    inside = ", ".join(str(carried) for carried in embedded(address))
    return f"{address} ({inside})" if inside else str(address)


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
            raise Refused("webhook.url-private", _shown(address))
    return Target(url=parsed, address=addresses[0])
