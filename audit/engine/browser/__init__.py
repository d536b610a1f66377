"""The optional browser pass: Chromium (through Playwright) and axe-core on crawled pages."""

from __future__ import annotations

from .checks import BROWSER_CHECKS, IMPACT_SEVERITY
from .pool import AXE_VERSION, BrowserUnavailable, chromium_problem
from .run import browser_check_html, run_browser_pass

__all__ = [
    "AXE_VERSION",
    "BROWSER_CHECKS",
    "IMPACT_SEVERITY",
    "BrowserUnavailable",
    "browser_check_html",
    "chromium_problem",
    "run_browser_pass",
]
