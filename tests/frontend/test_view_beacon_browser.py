"""A reader's browser on the front end counts one view through the CMS's beacon and sees the new
total; a headless browser's view is judged by the CMS's bot rules and not counted."""

from __future__ import annotations

import pytest

from pages.models import ServicePage
from pageviews.service import view_total
from tests.chromium import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS

pytestmark = BROWSER_MARKS

READER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture
def served_front_end(front_end, start_front_end_server, settings):
    settings.CORS_ALLOWED_ORIGINS = [front_end.url]  # so the page may read the beacon's answer
    front_end.build("--full")
    server = start_front_end_server()
    server.wait_for_builds(1)
    return front_end


@pytest.mark.parametrize(("user_agent", "counted"), [(READER, True), (None, False)])
def test_a_view_on_the_front_end_is_counted_by_the_cms_rules(served_front_end, user_agent, counted):
    from playwright.sync_api import expect, sync_playwright

    ims = ServicePage.objects.get(slug="ims")
    before = view_total(ims.pk)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # None: Chromium's own headless User-Agent ("HeadlessChrome"), which the CMS
            # treats as a bot.
            context = (
                browser.new_context(user_agent=user_agent) if user_agent else browser.new_context()
            )
            page = context.new_page()
            with page.expect_response(lambda r: r.url.endswith(f"/pages/{ims.pk}/view/")) as beacon:
                page.goto(f"{served_front_end.url}/services/ims/")
            answer = beacon.value.json()
            counter = page.locator(".view-count")
            expected = before + 1 if counted else before
            expect(counter).to_have_attribute("data-views", str(expected))
            assert answer["counted"] is counted
        finally:
            browser.close()
    assert view_total(ims.pk) == expected
