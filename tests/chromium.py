"""Debian's Chromium for the tests that drive a real browser (never a downloaded one)."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Skips a test where the package is missing (.ci/run installs it).
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin"
)
BROWSER_MARKS = [pytest.mark.browser, needs_chromium]
