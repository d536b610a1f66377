"""Sentences for people about why an audit could not start, from the engine's typed errors."""

from __future__ import annotations

from audit.engine import REDIRECT_REFUSALS, FetchError, error_code

# What to check, said once: a wrong target or a stale site address are the usual causes.
CHECK_ADDRESS = "Check the target or WAGTAILADMIN_BASE_URL."

# {url} is the start URL; each sentence says what happened and what to do about it.
_START_FAILURES: dict[FetchError, str] = {
    FetchError.CONNECTION_REFUSED: (
        "Nothing answered at {url} (connection refused). Is the site served at that address? "
        + CHECK_ADDRESS
    ),
    FetchError.CONNECTION_RESET: (
        "The server at {url} closed the connection before answering (connection reset). "
        "Is the site running properly behind that address? " + CHECK_ADDRESS
    ),
    FetchError.CONNECTION_FAILED: (
        "Could not connect to {url} (network error). Is the site served at that address? "
        + CHECK_ADDRESS
    ),
    FetchError.TIMEOUT: (
        "{url} did not answer in time (timeout). Is the site up and reachable from this "
        "server? Try again, or raise the timeout in the crawl options."
    ),
    FetchError.DEADLINE: (
        "{url} started answering but took too long to send the whole page (deadline). "
        "Is the site overloaded? Try again later, or raise the per-response deadline."
    ),
    FetchError.CANCELLED: "The audit of {url} was stopped before the start page was fetched.",
    FetchError.DNS: (
        "The host name in {url} does not resolve (DNS error). Is it spelled right? " + CHECK_ADDRESS
    ),
    FetchError.TLS: (
        "The secure connection to {url} failed (TLS handshake or certificate). Does the site "
        "have a valid certificate for that name? Try the http:// address if it has none."
    ),
    FetchError.PRIVATE_ADDRESS: (
        "{url} resolves to a private or local address this audit may not reach. "
        "Audit the site's public address, or have an administrator add the host to "
        "SEO_AUDIT_ALLOWED_HOSTS."
    ),
    FetchError.HEADERS_TOO_LARGE: (
        "{url} answered with response headers too large to read (too many, or a line too "
        "long). Check the server's or proxy's configuration for oversized headers or cookies."
    ),
    FetchError.BODY_READ: (
        "{url} answered, but the page could not be read in full (the connection broke "
        "while reading it). Try again; if it repeats, check the server's logs."
    ),
    FetchError.REDIRECT_LOOP: (
        "{url} redirects in a loop and never reaches a page. Fix the redirects on the site "
        "(or in Settings → Redirects), then run the audit again."
    ),
    FetchError.REDIRECT_INVALID: (
        "{url} redirects to an address that is not a valid http(s) URL. Fix that redirect "
        "on the site, then run the audit again."
    ),
    FetchError.TOO_MANY_REDIRECTS: (
        "{url} goes through too many redirects before reaching a page. Point it straight "
        "at the final address, or audit that address instead."
    ),
    FetchError.REDIRECT_NOT_FOLLOWED: (
        "{url} redirects outside what this audit may crawl (another site, a private address "
        "or a path robots.txt blocks). Audit the address it redirects to instead."
    ),
}


def start_failure_message(
    url: str, error: FetchError | str, redirected_to: str | None = None
) -> str:
    """One sentence saying why the audit of `url` could not start and what to check.

    `error` is the engine's FetchError, its stored value ("connection-refused", or with a
    detail: "redirect-not-followed: private-address"), or any other text the engine
    reported, which is quoted as it is. `redirected_to` (``AuditResult.start_redirect``)
    names the redirect that was refused, or the address whose answer failed.
    """
    kind = error_code(str(error))
    if kind is None:
        return f"The start URL {url} could not be audited: {error}. {CHECK_ADDRESS}"
    sentence = _START_FAILURES[kind].format(url=url)
    if redirected_to and kind in REDIRECT_REFUSALS:
        sentence += f" The refused redirect: {redirected_to}."
    elif redirected_to:
        sentence += f" (It redirects to {redirected_to}, which failed.)"
    return sentence
