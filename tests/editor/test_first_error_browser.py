"""After a failed save, "Go to the first error" brings the field into view above the sticky
save bar, on a laptop-sized window and on a phone."""

from __future__ import annotations

import pytest

from pages.models import ServicePage
from tests.chromium import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from tests.editor.browser import Steps, log_in
from tests.users.helpers import make_user

pytestmark = BROWSER_MARKS


@pytest.fixture
def ims_edit_url(live_demo_site, settings) -> tuple[str, str]:
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    make_user("ada", superuser=True)
    ims = ServicePage.objects.get(slug="ims")
    return live_demo_site.url, f"/admin/pages/{ims.pk}/edit/"


ERROR_SELECTOR = "[data-field-wrapper]:has(#id_cta_url) .error-message"
SETTLED = """selector => new Promise(done => {
    const element = document.querySelector(selector);
    let last = null, still = 0;
    const tick = () => {
        const top = element.getBoundingClientRect().top;
        if (top === last) { if (++still >= 10) return done(true); } else { still = 0; last = top; }
        requestAnimationFrame(tick);
    };
    tick();
})"""


@pytest.mark.parametrize("viewport", [(1280, 720), (375, 740)], ids=["laptop", "phone"])
def test_go_to_the_first_error_shows_the_field_above_the_save_bar(ims_edit_url, viewport):
    from playwright.sync_api import expect, sync_playwright

    base, edit_url = ims_edit_url
    width, height = viewport
    steps = Steps()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = log_in(context, base, "ada")
            page.goto(f"{base}{edit_url}")
            # The last field of the content tab, far below the fold: an invalid URL.
            page.fill("#id_cta_url", "book online please")
            page.locator("footer button[type=submit]").first.click()
            page.wait_for_load_state()
            go_to_error = page.get_by_role("button", name="Go to the first error")
            expect(go_to_error).to_be_visible()
            go_to_error.click()
            field = page.locator("#id_cta_url")
            error = page.locator(ERROR_SELECTOR)
            expect(error).to_be_focused()
            # Wagtail scrolls smoothly, and slower on a busy machine: wait until the error has
            # stood still for ten frames.
            page.wait_for_function(SETTLED, arg=ERROR_SELECTOR)
            steps.shot(page, f"first-error-{width}")
            save_bar = page.locator("footer").filter(has=page.locator("button[type=submit]"))
            bar_top = save_bar.bounding_box()["y"]
            for element in (error, field):
                box = element.bounding_box()
                assert box["y"] >= 0, f"{element} is above the window"
                assert box["y"] + box["height"] <= bar_top, (
                    f"{element} ends at {box['y'] + box['height']:.0f}px, "
                    f"under the save bar at {bar_top:.0f}px (window {width}x{height})"
                )
        finally:
            browser.close()
