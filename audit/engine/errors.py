"""Exceptions raised by the audit engine's public API, and the typed fetch failures."""

from enum import StrEnum


class AuditError(Exception):
    """Base class for every error the engine raises on purpose."""


class InvalidStartURL(AuditError):
    """The start URL is malformed, not http(s), or has no host."""


class UnsafeTarget(AuditError):
    """The start URL resolves to an address the crawl may not use."""


class InvalidConfig(AuditError):
    """An AuditConfig value is out of range or a pattern does not compile."""


class FetchError(StrEnum):
    """Why a fetch produced no usable response. Values appear in reports as they are."""

    TIMEOUT = "timeout"  # no answer within the connect or read timeout
    DEADLINE = "deadline"  # the whole response took longer than the per-response deadline
    CANCELLED = "cancelled"  # abandoned because the run stopped (cancel or time budget)
    DNS = "dns-error"
    CONNECTION_REFUSED = "connection-refused"
    CONNECTION_RESET = "connection-reset"
    CONNECTION_FAILED = "connection-error"  # any other network failure
    TLS = "tls-error"
    PRIVATE_ADDRESS = "private-address"  # the host resolves to an address the run may not use
    BODY_READ = "body-read-error"
    REDIRECT_LOOP = "redirect-loop"
    REDIRECT_INVALID = "redirect-invalid"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    REDIRECT_NOT_FOLLOWED = "redirect-not-followed"  # out of scope, robots.txt or private

    @property
    def is_fetch_failure(self) -> bool:
        """True when no HTTP answer came at all (network, TLS, deadline): the target may be
        fine and the server slow or down, so this is not a broken link."""
        return self in FETCH_FAILURES

    @property
    def message(self) -> str:
        """Plain words for people: "connection refused"."""
        return _MESSAGES.get(self, self.value.replace("-", " "))


_MESSAGES = {
    FetchError.DEADLINE: "the response took too long to arrive in full",
    FetchError.CANCELLED: "stopped before it finished",
    FetchError.DNS: "the host name does not resolve",
    FetchError.TLS: "the TLS (https) handshake or certificate failed",
    FetchError.PRIVATE_ADDRESS: "the host resolves to a private address this audit may not reach",
}


FETCH_FAILURES = frozenset(
    {
        FetchError.TIMEOUT,
        FetchError.DEADLINE,
        FetchError.DNS,
        FetchError.CONNECTION_REFUSED,
        FetchError.CONNECTION_RESET,
        FetchError.CONNECTION_FAILED,
        FetchError.TLS,
        FetchError.BODY_READ,
    }
)


def fetch_failure(error: str | None) -> FetchError | None:
    """The FetchError of a report's error text ("timeout", "tls-error: ...") when it is a
    fetch failure (no HTTP answer); None otherwise."""
    if not error:
        return None
    try:
        code = FetchError(error.split(":", 1)[0])
    except ValueError:
        return None
    return code if code in FETCH_FAILURES else None
