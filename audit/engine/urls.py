"""URL normalisation (so a page is fetched once) and crawl scope rules."""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from functools import lru_cache
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from .errors import InvalidStartURL, UnsafeTarget
from .patterns import URLPatterns, glob_matcher

DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters that may stay literal in a path or query; everything else is percent-encoded.
_PATH_SAFE = "!$&'()*+,;=:@/"
_QUERY_SAFE = "!$&'()*+,;=:@/?"
_CLEAN_PATH = re.compile(r"^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$")
_CLEAN_QUERY = re.compile(r"^[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*$")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")


def _fix_escapes(text: str, safe: str) -> str:
    """Decode escapes of unreserved characters, upper-case the rest, encode raw bytes."""

    def repl(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    parts = re.split(r"(%[0-9A-Fa-f]{2})", text)
    out = []
    for part in parts:
        if _PCT.fullmatch(part):
            out.append(_PCT.sub(repl, part))
        else:
            # A stray "%" without hex digits must become "%25".
            out.append(quote(part, safe=safe))
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    if "." not in path or ("/." not in path and path.startswith("/")):
        return path  # no segment is "." or "..": each would follow a "/" ("/p/a.html")
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


def _strip_params(query: str, strip: tuple[str, ...]) -> str:
    if not query or not strip:
        return query
    matcher = glob_matcher(strip)  # linear time, whatever the globs (see patterns.py)
    kept = []
    for pair in query.split("&"):
        name = unquote(pair.split("=", 1)[0]).lower()
        if matcher.fullmatch(name) is None:
            kept.append(pair)
    return "&".join(kept)


# Caches of 8,192 URLs: a site's template links (nav, footer) stay in them as the most
# used; 65,536 filled up with one-off links on a large crawl and kept ~20 MB per process.
@lru_cache(maxsize=8192)
def normalize_url(url: str, strip_params: tuple[str, ...] = ()) -> str | None:
    """Canonical form of an absolute http(s) URL, or None for anything else.

    Drops the fragment and default port, lower-cases scheme and host, IDNA-encodes the host,
    removes dot segments, normalises percent-encoding and strips matching query params.
    """
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            return None
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    host = host.rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None:
        # Credentials in links are kept verbatim: they select a different resource.
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    path = parts.path or "/"
    if not _CLEAN_PATH.match(path):
        path = _fix_escapes(path, _PATH_SAFE)
    path = _remove_dot_segments(path)
    query = parts.query
    if query and not _CLEAN_QUERY.match(query):
        query = _fix_escapes(query, _QUERY_SAFE)
    query = _strip_params(query, strip_params)
    return urlunsplit((scheme, netloc, path, query, ""))


def resolve(base: str, href: str, strip_params: tuple[str, ...] = ()) -> str | None:
    """Resolve ``href`` against ``base`` and normalise; None when not http(s)."""
    href = href.strip()
    try:
        if href.startswith(("http://", "https://")):
            absolute = href
        elif href.startswith("/") and not href.startswith("//"):
            # Root-relative links are most links; skip urljoin's general algorithm.
            absolute = _origin(base) + href
        else:
            absolute = urljoin(base, href)
        return normalize_url(absolute, strip_params)
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=8192)  # see normalize_url
def host_of(url: str) -> str:
    """Host plus non-default port, as it appears in a normalised URL."""
    return urlsplit(url).netloc.rpartition("@")[2]


def validate_start_url(url: str) -> str:
    """Normalised start URL or InvalidStartURL with a message that says what to do."""
    if not url or not url.strip():
        raise InvalidStartURL(
            "no start URL given: pass an absolute URL such as https://example.org/"
        )
    candidate = url.strip()
    scheme = urlsplit(candidate).scheme.lower()
    if "://" not in candidate or not scheme:
        raise InvalidStartURL(
            f"start URL {candidate!r} has no scheme: use an absolute URL such as https://{candidate}"
        )
    if scheme not in DEFAULT_PORTS:
        raise InvalidStartURL(
            f"start URL {candidate!r} is not http(s): only web pages can be audited"
        )
    normal = normalize_url(candidate)
    if normal is None:
        raise InvalidStartURL(
            f"start URL {candidate!r} has no valid host or port: check it for typos"
        )
    return normal


# IANA special-purpose address registries: the blocks that are not globally reachable,
# spelled out because Python 3.11's ipaddress predates several (192.0.0.0/24 exceptions,
# 64:ff9b:1::/48, 3fff::/20). Multicast is refused too.
_SPECIAL_IPV4 = tuple(
    ipaddress.IPv4Network(block)
    for block in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
_SPECIAL_IPV6 = tuple(
    ipaddress.IPv6Network(block)
    for block in (
        "::/96",  # unspecified, loopback and the deprecated IPv4-compatible form
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",
        "100:0:0:1::/64",
        "2001::/23",  # IETF protocol assignments, Teredo (2001::/32) included
        "2001:db8::/32",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
# IPv6 forms that carry an IPv4 address in their last 32 bits (6to4 carries it in bits 16-48).
_IPV4_CARRIERS = tuple(
    ipaddress.IPv6Network(block)
    for block in (
        "::ffff:0:0/96",  # IPv4-mapped: ::ffff:10.0.0.1
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT): ::ffff:0:10.0.0.1
        "::/96",  # IPv4-compatible (deprecated): ::10.0.0.1
        "64:ff9b::/96",  # NAT64 well-known prefix: 64:ff9b::10.0.0.1
    )
)
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries: IPv4-mapped, IPv4-translated,
    IPv4-compatible, NAT64 (64:ff9b::/96) or 6to4 (2002::/16); None for other addresses."""
    if any(ip in block for block in _IPV4_CARRIERS):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def is_public_address(address: str) -> bool:
    """True when ``address`` is globally reachable. An IPv6 address that carries an IPv4
    address (``embedded_ipv4``) is judged by that IPv4 address: a connection to it reaches
    that host (through the dual stack, a translator or a relay). The one place every target,
    extra host and redirect is vetted: the engine's guard, the admin forms and the importer."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return not any(ip in block for block in _SPECIAL_IPV4) and ip.is_global
    embedded = embedded_ipv4(ip)
    if embedded is not None:
        # The deprecated IPv4-compatible form is routed nowhere today: refused whatever
        # it carries (::/96 is also where :: and ::1 live).
        return ip not in _IPV4_COMPATIBLE and is_public_address(str(embedded))
    return not any(ip in block for block in _SPECIAL_IPV6) and ip.is_global


class AddressGuard:
    """Decides which hosts a run may connect to, by the addresses they resolve to.

    ``allow_private`` None (the command line): private addresses only when the start URL
    is private, so a crawl of 127.0.0.1 works and a crawl of a public site cannot be
    pointed at the local network through links, redirects or extra hosts. False (the CMS
    admin): public addresses only, except ``trusted_hosts`` ("host" or "host:port").
    True: anything. Each host is resolved once: the addresses checked are the ones
    connections are pinned to (see transport.py), so a DNS answer that changes between
    the check and the connection (rebinding) cannot reach a private address.
    """

    def __init__(
        self,
        start_host: str,
        *,
        allow_private: bool | None = None,
        trusted_hosts: tuple[str, ...] = (),
    ) -> None:
        self._cache: dict[str, tuple[str, ...] | None] = {}
        self._lock = threading.Lock()
        self._trusted = frozenset(_host_port(entry) for entry in trusted_hosts)
        name, port = _host_port(start_host)
        addresses = self._resolve(name)
        if addresses is None:
            raise InvalidStartURL(
                f"cannot resolve host {start_host!r}: check the URL or your DNS settings"
            )
        self._cache[name] = addresses
        # Public only if every address is public: one private answer is enough to refuse.
        start_private = not all(is_public_address(address) for address in addresses)
        self.allow_private = start_private if allow_private is None else allow_private
        if start_private and not self.allow_private and not self._is_trusted(name, port):
            raise UnsafeTarget(
                f"start URL host {start_host!r} resolves to a private address, which this "
                "audit may not reach: audit a public site or add the host to trusted_hosts"
            )

    def __getstate__(self) -> dict[str, object]:
        # Sent to worker processes with the addresses already vetted, not the lock.
        with self._lock:
            return {
                "allow_private": self.allow_private,
                "_trusted": self._trusted,
                "_cache": dict(self._cache),
            }

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @staticmethod
    def _resolve(name: str) -> tuple[str, ...] | None:
        try:
            infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return None
        return tuple(dict.fromkeys(info[4][0] for info in infos)) or None

    def _is_trusted(self, name: str, port: int | None) -> bool:
        return (name, None) in self._trusted or (port is not None and (name, port) in self._trusted)

    def _addresses(self, name: str) -> tuple[str, ...] | None:
        with self._lock:
            if name in self._cache:
                return self._cache[name]
        addresses = self._resolve(name)
        with self._lock:
            return self._cache.setdefault(name, addresses)

    def usable_addresses(self, name: str, port: int | None) -> tuple[str, ...] | None:
        """The addresses a connection to ``name:port`` may use, or None if it may not."""
        addresses = self._addresses(name)
        if addresses is None:
            return None
        if self._is_trusted(name, port) or all(is_public_address(a) for a in addresses):
            return addresses
        return None

    def allowed(self, host: str) -> bool:
        """``host`` as in a URL: a name or address, with an optional port."""
        if self.allow_private:
            return True
        name, port = _host_port(host)
        return self.usable_addresses(name, port) is not None

    def pinned(self, name: str, port: int | None = None) -> tuple[str, ...] | None:
        """Addresses a connection to ``name:port`` must use; None means "resolve as usual"
        (a run allowed private addresses needs no protection from the local network)."""
        if self.allow_private:
            return None
        addresses = self.usable_addresses(name, port)
        if addresses is None:
            raise UnsafeTarget(f"host {name!r} resolves to a private address")
        return addresses


def _host_port(host: str) -> tuple[str, int | None]:
    """("example.org", 8080) from "example.org:8080"; the name as getaddrinfo takes it."""
    parts = urlsplit(f"//{host.strip().lower()}")
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.hostname or host).rstrip("."), port


class Scope:
    """Which URLs belong to the audited site, by host and include/exclude patterns."""

    def __init__(
        self,
        start_url: str,
        extra_hosts: tuple[str, ...] = (),
        include: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
    ) -> None:
        self.start_url = start_url
        scheme = urlsplit(start_url).scheme
        self.schemes = {scheme}
        start_host = host_of(start_url)
        extra = {host_of(normalize_url(f"{scheme}://{h}") or "") for h in extra_hosts}
        self.hosts = {start_host, *(h for h in extra if h)}
        # RE2, not re: a pattern from a schedule or the CLI runs on every URL (patterns.py).
        self._include = URLPatterns(include, "include pattern")
        self._exclude = URLPatterns(exclude, "exclude pattern")

    def is_internal(self, url: str) -> bool:
        """Same scheme and same host (or an extra host)."""
        return url.partition(":")[0] in self.schemes and host_of(url) in self.hosts

    def adopt(self, url: str) -> None:
        """Take in the scheme and host the start URL redirects to."""
        self.schemes.add(urlsplit(url).scheme)
        self.hosts.add(host_of(url))

    def wanted(self, url: str) -> bool:
        """Internal and not filtered out by include/exclude patterns."""
        if not self.is_internal(url):
            return False
        if self._include and url != self.start_url and not self._include.search(url):
            return False
        return not self._exclude.search(url)
