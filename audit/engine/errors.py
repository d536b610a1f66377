"""Exceptions raised by the audit engine's public API, and the typed fetch failures."""

from enum import StrEnum


class AuditError(Exception):
    """Base class for every error the engine raises on purpose."""


class InvalidStartURL(AuditError):
    """The start URL is malformed, not http(s), or has no host."""


class UnsafeTarget(AuditError):
    """The start URL resolves to an address the crawl may not use."""


class InvalidConfig(AuditError):
    """An EngineConfig value is out of range or a pattern does not compile."""


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
    HEADERS_TOO_LARGE = "headers-too-large"  # a header line or the header count over the limit
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
    FetchError.HEADERS_TOO_LARGE: "response headers too large",
    FetchError.PRIVATE_ADDRESS: "the host resolves to a private address this audit may not reach",
    FetchError.REDIRECT_INVALID: "it redirects to an address that is not an http(s) URL",
    FetchError.REDIRECT_NOT_FOLLOWED: "it redirects where this audit may not go",
    FetchError.REDIRECT_LOOP: "its redirects go round in a loop",
    FetchError.TOO_MANY_REDIRECTS: "it goes through too many redirects",
}

# Errors where the redirect itself was refused (not followed), as opposed to a target that
# was reached through redirects and then failed.
REDIRECT_REFUSALS = frozenset(
    {
        FetchError.REDIRECT_INVALID,
        FetchError.REDIRECT_NOT_FOLLOWED,
        FetchError.REDIRECT_LOOP,
        FetchError.TOO_MANY_REDIRECTS,
    }
)


FETCH_FAILURES = frozenset(
    {
        FetchError.TIMEOUT,
        FetchError.DEADLINE,
        FetchError.DNS,
        FetchError.CONNECTION_REFUSED,
        FetchError.CONNECTION_RESET,
        FetchError.CONNECTION_FAILED,
        FetchError.TLS,
        FetchError.HEADERS_TOO_LARGE,
        FetchError.BODY_READ,
    }
)


def error_code(error: str | None) -> FetchError | None:
    """The FetchError of a report's error text ("redirect-not-followed: robots"), or None
    for other text ("parse-failed: ...")."""
    if not error:
        return None
    try:
        return FetchError(error.split(":", 1)[0])
    except ValueError:
        return None


def fetch_failure(error: str | None) -> FetchError | None:
    """The FetchError of a report's error text ("timeout", "tls-error: ...") when it is a
    fetch failure (no HTTP answer); None otherwise."""
    code = error_code(error)
    return code if code in FETCH_FAILURES else None
