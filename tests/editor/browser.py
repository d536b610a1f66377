"""Helpers for the editor tests that drive Debian's chromium with Playwright."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.users.helpers import PASSWORD

# Readers' browsers say who they are; Chromium's headless one is (rightly) not counted as a view.
READER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


class Steps:
    """Numbered screenshots of each step, in a folder that survives only a failure."""

    def __init__(self, prefix: str = "clinic-editor-loop-") -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=prefix))
        self.count = 0

    def shot(self, page, name: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


def log_in(context, base: str, username: str):
    page = context.new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == f"{base}/admin/", f"{username} could not log in"
    return page


def open_more_actions(page) -> None:
    page.locator("footer .w-dropdown__toggle").click()
