"""One delivery attempt: Standard Webhooks signing, a POST under one deadline, no redirects,
to an address vetted as the connection is made.

Signed with the ``standardwebhooks`` package: ``webhook-signature`` is ``v1,<base64
HMAC-SHA256 of "id.timestamp.body">`` per valid secret, space-separated (the current one and,
for 24 hours after a rotation, the previous one), so any Standard Webhooks verifier accepts it.

The endpoint's URL was vetted when it was saved, but its name can resolve elsewhere by the time
of a send (DNS rebinding). So each attempt resolves the name once, vets the addresses with the
audit's outbound policy for admin targets (``AddressGuard``: public addresses only, except this
CMS's own sites and SEO_AUDIT_ALLOWED_HOSTS), and the engine's ``PinnedAdapter`` connects to
exactly those addresses: no second lookup happens between the check and the connection.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import requests
from standardwebhooks.webhooks import Webhook

from audit.engine import AddressGuard, InvalidStartURL, PinnedAdapter, UnsafeTarget
from audit.targets import ALLOWED_HOSTS_SETTING, admin_engine_overrides
from webhooks.conf import webhook_setting

USER_AGENT = "clinic-cms-webhooks/1"
REFUSED = "Webhook URL refused when connecting"


_call = threading.local()  # the trusted hosts of the attempt this thread is making


def trusted_hosts() -> tuple[str, ...]:
    """The hosts that may resolve to private addresses: this CMS's own sites and
    SEO_AUDIT_ALLOWED_HOSTS (read from the database and settings: once per task, not per
    attempt)."""
    return tuple(admin_engine_overrides()["trusted_hosts"])


def vetted_addresses(host: str, port: int) -> tuple[str, ...]:
    """The addresses a connection to ``host:port`` must use, resolved now and vetted; raises
    UnsafeTarget with a one-line reason (for the delivery log) when there are none."""
    host_port = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    trusted = getattr(_call, "trusted_hosts", None)
    if trusted is None:
        trusted = trusted_hosts()
    try:
        guard = AddressGuard(host_port, allow_private=False, trusted_hosts=trusted)
        addresses = guard.pinned(host, port)
    except InvalidStartURL:
        raise UnsafeTarget(f"{REFUSED}: {host} does not resolve to an address.") from None
    except UnsafeTarget:
        what = "is" if _is_address(host) else "now resolves to"
        raise UnsafeTarget(
            f"{REFUSED}: {host} {what} a private or reserved address. Use a public URL, or "
            f"add {host_port} to {ALLOWED_HOSTS_SETTING}."
        ) from None
    if addresses is None:  # only a guard that allows private addresses answers None
        raise AssertionError("the guard was made with allow_private=False")
    return addresses


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _session_for_webhooks() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc: the request goes to the vetted address
    adapter = PinnedAdapter(vetted_addresses, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


_session = _session_for_webhooks()  # keep-alive between attempts to the same address


@dataclass(frozen=True)
class AttemptResult:
    ok: bool
    status_code: int | None
    error: str
    duration_ms: int
    excerpt: str


def signature_headers(
    secrets: list[str], message_id: str, timestamp: datetime, body: str
) -> dict[str, str]:
    signatures = " ".join(
        Webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=body)
        for secret in secrets
    )
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signatures,
    }


def attempt(
    url: str,
    secrets: list[str],
    message_id: str,
    timestamp: datetime,
    body: str,
    *,
    trusted_hosts: tuple[str, ...] | None = None,
) -> AttemptResult:
    """POST ``body`` to ``url`` once; a 2xx answer is success, anything else a failure.
    ``trusted_hosts`` as ``trusted_hosts()`` returns them (read now when None)."""
    _call.trusted_hosts = trusted_hosts
    try:
        return _attempt(url, secrets, message_id, timestamp, body)
    finally:
        _call.trusted_hosts = None


def _attempt(
    url: str, secrets: list[str], message_id: str, timestamp: datetime, body: str
) -> AttemptResult:
    started = time.monotonic()
    budget = webhook_setting("TIMEOUT")
    deadline = started + budget

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signature_headers(secrets, message_id, timestamp, body),
    }
    try:
        response = _session.post(
            url,
            data=body.encode(),
            headers=headers,
            timeout=(budget, budget),
            allow_redirects=False,
            stream=True,
        )
    except UnsafeTarget as exc:  # raised by vetted_addresses, before any connection
        return AttemptResult(False, None, str(exc)[:500], elapsed_ms(), "")
    except requests.RequestException as exc:
        return AttemptResult(False, None, _reason(exc), elapsed_ms(), "")
    try:
        excerpt, cut_short = _read_excerpt(response, deadline)
    finally:
        response.close()
    ok = 200 <= response.status_code < 300
    error = "" if ok else f"answered {response.status_code}"
    if response.is_redirect:
        error = f"answered {response.status_code} (redirects are not followed)"
    if cut_short and not ok:
        error += "; the answer was cut off at the deadline"
    return AttemptResult(ok, response.status_code, error, elapsed_ms(), excerpt)


def _read_excerpt(response: requests.Response, deadline: float) -> tuple[str, bool]:
    """The first RESPONSE_EXCERPT_BYTES of the answer, read no longer than the deadline."""
    limit = webhook_setting("RESPONSE_EXCERPT_BYTES")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=512):
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit or time.monotonic() > deadline:
                break
    except requests.RequestException:
        return b"".join(chunks)[:limit].decode("utf-8", "replace"), True
    return b"".join(chunks)[:limit].decode("utf-8", "replace"), time.monotonic() > deadline


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return f"no answer within {webhook_setting('TIMEOUT'):g} s"
    if isinstance(exc, requests.ConnectionError):
        return "could not connect"
    return type(exc).__name__
