"""In Chromium: a finding's link opens the editor at the field, not in the middle of the Body,
and the editor panel's "Go to the field" switches to the field's tab and focuses it."""

from __future__ import annotations

from pages.models import ServicePage
from tests.audit.admin.conftest import page_report, store_run
from tests.chromium import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from tests.editor.browser import log_in
from tests.users.helpers import make_user
from users.roles import EDITORS

pytestmark = BROWSER_MARKS

BODY = "panel-child-content-body-section"


def test_links_land_on_the_field(live_demo_site, settings):
    from playwright.sync_api import expect, sync_playwright

    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    make_user("eddie", group=EDITORS)
    ims = ServicePage.objects.get(slug="ims")
    findings = [
        ("title-too-long", "warning", "head > title", "<title>Far too long</title>"),
        ("heading-order", "warning", "#main h4", "<h4>Aftercare</h4>"),
    ]
    store_run(live_demo_site.url + "/", [page_report(ims.get_full_url(), findings)])
    base = live_demo_site.url
    edit = f"{base}/admin/pages/{ims.pk}/edit/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = log_in(
                browser.new_context(viewport={"width": 1280, "height": 720}), base, "eddie"
            )
            # A report link to the Body: the section's start is at the top of the window.
            page.goto(f"{edit}#{BODY}")
            page.wait_for_load_state("load")
            page.wait_for_timeout(800)  # editor-panel.js scrolls 300 ms after "load"
            top, height, window = page.evaluate(
                f"""() => {{
                    const box = document.getElementById("{BODY}").getBoundingClientRect();
                    return [box.top, box.height, window.innerHeight];
                }}"""
            )
            assert height > window  # taller than the window: centring it lands mid-Body
            assert 0 <= top < 200, f"the Body section starts at {top}px"

            # The panel's link to the SEO title, on the Promote tab, from the Content tab.
            page.goto(edit)
            link = page.locator('#seo-audit-panel a.audit-field-link[href="#id_seo_title"]')
            expect(link).to_be_visible()
            link.click()
            expect(page.locator("#id_seo_title")).to_be_focused()
            expect(page.locator("#id_seo_title")).to_be_in_viewport()
        finally:
            browser.close()
