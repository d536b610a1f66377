"""What the browser saw on one page: plain data gathered by the pool, read by the checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True, frozen=True)
class FailedRequest:
    url: str
    resource_type: str  # Playwright's: image, script, stylesheet, font, media, fetch…
    reason: str  # "HTTP 404" or the network error


@dataclass(slots=True)
class RenderedPage:
    """One page as Chromium rendered it: axe results in both colour schemes (each from a
    load of its own under that emulated scheme) and lab data (from the light load)."""

    url: str
    final_url: str
    # axe's results per colour scheme: {"violations": [rule…], "incomplete": [rule…]}
    axe_light: dict[str, Any] = field(default_factory=dict)
    axe_dark: dict[str, Any] = field(default_factory=dict)
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[FailedRequest] = field(default_factory=list)
    insecure_requests: list[str] = field(default_factory=list)  # http: URLs an https page loaded
    script_only: list[dict[str, str]] = field(default_factory=list)  # kind, text, selector, html
    lcp_ms: float | None = None
    cls: float = 0.0
    tbt_ms: float = 0.0
    own_scripts: int = 0  # <script> elements of the page itself that run (not JSON data)
    # Whether the page has dark styles (a media query, light-dark(), a script reading the
    # scheme); without them the dark load is skipped and ``axe_dark`` stays empty.
    dark_styles: bool = True
    bytes_by_type: dict[str, int] = field(default_factory=dict)
