"""The editor guidance script in a real browser: heading order and description counters."""

from __future__ import annotations

import shutil

import pytest

from pages.models import ServiceIndexPage
from tests.chromium import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from tests.editor.browser import Steps, log_in
from tests.users.helpers import make_user
from users.roles import EDITORS

pytestmark = BROWSER_MARKS


@pytest.fixture
def new_service_url(live_demo_site, settings) -> tuple[str, str]:
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0  # nothing is saved here; keep the admin quiet
    make_user("eddie", group=EDITORS)
    services = ServiceIndexPage.objects.get()
    return live_demo_site.url, f"/admin/pages/add/pages/servicepage/{services.pk}/"


def add_heading(page, index: int, text: str, level: str) -> None:
    page.locator("#body-root button[title='Insert a block']").last.click()
    page.get_by_role("option", name="Heading", exact=True).click()
    page.fill(f"[name='body-{index}-value-text']", text)
    page.select_option(f"[name='body-{index}-value-level']", level)


def test_heading_levels_and_description_length_are_explained_as_editors_type(new_service_url):
    from playwright.sync_api import expect, sync_playwright

    base, add_url = new_service_url
    steps = Steps()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = log_in(
                browser.new_context(viewport={"width": 1400, "height": 1000}), base, "eddie"
            )
            page.goto(f"{base}{add_url}")
            add_heading(page, 0, "What hydrotherapy is", "h2")
            add_heading(page, 1, "Who it suits", "h4")
            second = page.locator('.clinic-guidance[data-guidance-for="body-1-value-level"]')
            expect(second).to_contain_text("This h4 follows an h2: use h3 here")
            expect(second).to_have_attribute("data-state", "warn")
            page.select_option("[name='body-1-value-level']", "h3")
            expect(second).to_have_attribute("data-state", "ok")
            steps.shot(page, "headings")

            page.get_by_role("tab", name="Promote").click()
            description = page.locator('.clinic-guidance[data-guidance-for="search_description"]')
            page.fill("#id_search_description", "Warm-water physio.")
            expect(description).to_contain_text("18 characters (aim 70–160): too short")
            page.fill("#id_search_description", "x" * 120)
            expect(description).to_contain_text("120 characters (aim 70–160): a good length")
            page.fill("#id_search_description", "x" * 170)
            expect(description).to_have_attribute("data-state", "warn")
            steps.shot(page, "description")
        except BaseException:
            for context in browser.contexts:
                for open_page in context.pages:
                    steps.shot(open_page, "at-failure")
            print(f"\nScreenshots of each step: {steps.folder}")
            raise
        finally:
            browser.close()
    shutil.rmtree(steps.folder, ignore_errors=True)
