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
