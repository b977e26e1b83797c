from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import httpx
import pytest

from app.config import Settings
from app.outbox import ssrf
from app.outbox.sender import WebhookSender
from tests.conftest import NOW

PUBLIC = ip_address("93.184.215.14")


def dns(*answers: str) -> ssrf.Resolver:
    """A resolver with fixed answers, standing in for DNS that can change between lookups."""

    def resolve(_host: str, _port: int) -> list[IPv4Address | IPv6Address]:
        return [ip_address(answer) for answer in answers]

    return resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:10.0.0.1",
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not ssrf.is_public(ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses(address: str) -> None:
    assert ssrf.is_public(ip_address(address))


# IPv6 forms that carry a loopback or private IPv4 address, each with the address it carries.
CARRIERS = [
    ("64:ff9b::7f00:1", "127.0.0.1"),  # NAT64, well-known prefix
    ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
    ("64:ff9b:1::a00:1", "10.0.0.1"),  # NAT64, local-use prefix as a /96
    ("64:ff9b:1:a:0:1::", "10.0.0.1"),  # ... as a /56: the IPv4 address skips bits 64-71
    ("2002:7f00:1::", "127.0.0.1"),  # 6to4
    ("2002:c0a8:101::1", "192.168.1.1"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "127.0.0.1"),  # Teredo, client obfuscated
    ("::127.0.0.1", "127.0.0.1"),  # IPv4-compatible
    ("::ffff:127.0.0.1", "127.0.0.1"),  # IPv4-mapped
    ("::ffff:0:a00:1", "10.0.0.1"),  # IPv4-translated (SIIT)
]


@pytest.mark.parametrize(("address", "carried"), CARRIERS)
def test_ipv6_forms_are_judged_by_the_ipv4_address_they_carry(address: str, carried: str) -> None:
    assert ip_address(carried) in ssrf.embedded(ip_address(address))
    assert not ssrf.is_public(ip_address(address))


@pytest.mark.parametrize(
    "address", ["64:ff9b::808:808", "2002:808:808::1", "2001:0:4136:e378:8000:63bf:f7f7:f7f6"]
)
def test_ipv6_forms_carrying_a_public_ipv4_address_are_public(address: str) -> None:
    assert ssrf.is_public(ip_address(address))


@pytest.mark.parametrize(("address", "carried"), CARRIERS)
def test_name_resolving_to_an_ipv6_form_of_a_private_address_is_refused(
    address: str, carried: str
) -> None:
    with pytest.raises(ssrf.Refused) as refused:
        ssrf.check("https://hooks.example.org/x", [], dns(address))

    assert refused.value.address.startswith(f"{ip_address(address)} (")
    assert carried in refused.value.address


def test_allowlisted_ipv4_network_admits_its_ipv6_forms() -> None:
    network = [ip_network("10.0.0.0/8")]

    for address in ("::ffff:10.1.1.1", "64:ff9b::a01:101", "2002:a01:101::1"):
        assert ssrf.check("http://hooks.internal/x", network, dns(address)).address == ip_address(
            address
        )
    with pytest.raises(ssrf.Refused):
        ssrf.check("http://hooks.internal/x", network, dns("64:ff9b::7f00:1"))


def test_allowlisted_ipv6_network_admits_its_addresses() -> None:
    network = [ip_network("64:ff9b:1::/48")]

    target = ssrf.check("http://hooks.internal/x", network, dns("64:ff9b:1::a00:1"))

    assert target.address == ip_address("64:ff9b:1::a00:1")


def test_name_resolving_to_a_private_address_is_refused() -> None:
    with pytest.raises(ssrf.Refused) as refused:
        ssrf.check("https://hooks.example.org/x", [], dns("10.0.0.7"))

    assert (refused.value.reason, refused.value.address) == ("webhook.url-private", "10.0.0.7")


def test_one_private_answer_among_public_ones_is_refused() -> None:
    with pytest.raises(ssrf.Refused):
        ssrf.check("https://hooks.example.org/x", [], dns("93.184.215.14", "127.0.0.1"))


def test_allowlisted_network_and_name() -> None:
    network = [ip_network("10.0.0.0/8")]

    by_network = ssrf.check("http://hooks.internal/x", network, dns("10.1.1.1"))
    by_name = ssrf.check("http://HOOKS.internal/x", ["hooks.internal"], dns("192.168.5.5"))

    assert by_network.address == ip_address("10.1.1.1")
    assert by_name.address == ip_address("192.168.5.5")


def test_unresolvable_name_is_refused() -> None:
    def nowhere(_host: str, _port: int) -> list[IPv4Address | IPv6Address]:
        raise OSError("Name or service not known")

    with pytest.raises(ssrf.Refused) as refused:
        ssrf.check("https://nowhere.invalid/", [], nowhere)

    assert refused.value.reason == "webhook.url-unresolved"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://93.184.215.14/", "webhook.url-scheme"),
        ("https:///nohost", "webhook.url-scheme"),
        ("https://me:pw@93.184.215.14/", "webhook.url-credentials"),
    ],
)
def test_malformed_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(ssrf.Refused) as refused:
        ssrf.check(url, [], dns(str(PUBLIC)))

    assert refused.value.reason == reason


def test_sender_connects_to_the_checked_address_with_the_original_host() -> None:
    seen: list[httpx.Request] = []

    def receive(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    client = httpx.Client(transport=httpx.MockTransport(receive))
    sender = WebhookSender(Settings(_env_file=None), client, dns(str(PUBLIC)))

    outcome = sender.send(
        url="https://hooks.example.org:8443/in?x=1",
        secret="whsec_" + "A" * 32,
        message_id="msg_1",
        body='{"a":1}',
        at=NOW,
    )

    [request] = seen
    assert outcome.ok
    assert str(request.url) == "https://93.184.215.14:8443/in?x=1"
    assert request.headers["host"] == "hooks.example.org:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.org"
    assert request.headers["webhook-id"] == "msg_1"
    assert request.headers["webhook-timestamp"] == str(int(NOW.timestamp()))


def test_sender_refuses_when_dns_turned_private_since_creation() -> None:
    def receive(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request may leave")

    client = httpx.Client(transport=httpx.MockTransport(receive))
    sender = WebhookSender(Settings(_env_file=None), client, dns("169.254.169.254"))

    outcome = sender.send(
        url="https://hooks.example.org/", secret="whsec_QUFB", message_id="m", body="{}", at=NOW
    )

    assert not outcome.ok
    assert outcome.error is not None
    assert outcome.error.startswith("refused:")


@pytest.mark.parametrize(("address", "carried"), CARRIERS)
def test_sender_refuses_ipv6_forms_of_private_addresses_at_delivery(
    address: str, carried: str
) -> None:
    def receive(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request may leave")

    client = httpx.Client(transport=httpx.MockTransport(receive))
    sender = WebhookSender(Settings(_env_file=None), client, dns(address))

    outcome = sender.send(
        url="https://hooks.example.org/", secret="whsec_QUFB", message_id="m", body="{}", at=NOW
    )

    assert not outcome.ok
    assert carried in (outcome.error or "")


def test_redirect_is_not_followed_and_counts_as_failure() -> None:
    def receive(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "http://127.0.0.1/admin"})

    client = httpx.Client(transport=httpx.MockTransport(receive), follow_redirects=False)
    sender = WebhookSender(Settings(_env_file=None), client, dns(str(PUBLIC)))

    outcome = sender.send(
        url="https://hooks.example.org/", secret="whsec_QUFB", message_id="m", body="{}", at=NOW
    )

    assert (outcome.ok, outcome.status_code) == (False, 302)
