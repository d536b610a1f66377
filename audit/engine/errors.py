"""Exceptions raised by the audit engine's public API."""


class AuditError(Exception):
    """Base class for every error the engine raises on purpose."""


class InvalidStartURL(AuditError):
    """The start URL is malformed, not http(s), or has no host."""


class UnsafeTarget(AuditError):
    """The start URL resolves to an address the crawl may not use."""


class InvalidConfig(AuditError):
    """An AuditConfig value is out of range or a pattern does not compile."""
