"""The marketing team's whole loop in a real browser (Debian's chromium, headless):

an editor creates a service page with an image but no alt text, is stopped with a clear
message, adds alt text, previews and submits for moderation; a moderator approves and
publishes; a reader sees the page with one h1 and the alt text; the sitemap lists it; the
editor sees the page's view count and its SEO audit findings in the editor; the after-publish
audit of the page finished with no errors.

Each step leaves a screenshot in a temp folder, kept (and its path printed) only on failure.

No database access happens while Playwright runs: its sync API keeps an event loop running in
this thread, so Django would hand ORM calls a connection of their own, which on SQLite's
shared in-memory test database collides with the live server's ("table is locked"). What the
test needs is looked up before the browser starts and checked after it closes; in between,
everything is seen through the browser, as the people in the loop see it.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass

import pytest
from django.core.files.images import ImageFile
from PIL import Image
from wagtail.models import Site

from audit.models import AuditRun
from pages.models import ClinicImage, ServiceIndexPage, ServicePage
from tests.chromium import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from tests.editor.browser import READER_AGENT, Steps, log_in, open_more_actions
from tests.users.helpers import make_user
from users.roles import EDITORS, MODERATORS, WORKFLOW_NAME

ALT_TEXT = "Physiotherapist guiding a patient through exercises in a warm pool"
ALT_MESSAGE = "Please add some alt text for your image or mark it as decorative"
TITLE = "Hydrotherapy"
SLUG = "hydrotherapy"
SEO_TITLE = "Hydrotherapy for painful joints in Vancouver"

pytestmark = BROWSER_MARKS


@dataclass
class LoopSite:
    base: str  # the live server, e.g. http://localhost:40123
    services_id: int
    public_path: str  # where the new page will be served


@pytest.fixture
def loop_site(live_demo_site) -> LoopSite:
    """The demo site served live, an editor, a moderator and an uploaded image whose
    description is empty (so the image block starts with only its title as alt text)."""
    # live_demo_site moves the Site to the live server's port with a queryset update, which
    # leaves Wagtail's cached site root paths (filled while the demo was published) stale.
    Site.clear_site_root_paths_cache()
    make_user("eddie", group=EDITORS)
    make_user("mona", group=MODERATORS)
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (40, 120, 180)).save(buffer, "JPEG")
    image = ClinicImage(title="Pool session")
    image.file.save("pool-session.jpg", ImageFile(buffer, name="pool-session.jpg"), save=False)
    image.save()
    services = ServiceIndexPage.objects.get()
    return LoopSite(live_demo_site.url, services.pk, f"{services.url}{SLUG}/")


def editor_creates_and_submits(browser, site: LoopSite, steps: Steps) -> str:
    """Returns the page's admin edit URL."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = log_in(context, site.base, "eddie")
    steps.shot(page, "editor-dashboard")

    page.goto(f"{site.base}/admin/pages/add/pages/servicepage/{site.services_id}/")
    page.fill("#id_title", TITLE)
    page.locator("[data-contentpath=introduction] [contenteditable=true]").click()
    page.keyboard.type("Exercise in a warm pool for joints that hurt on land.")
    page.locator("#body-root button[title='Insert a block']").first.click()
    page.get_by_role("option", name="Image").click()
    chooser = page.locator("#body-0-value-image-image-chooser")
    chooser.get_by_role("button", name="Choose an image").click()
    page.locator(".modal").get_by_role("link", name="Pool session").first.click()
    alt_input = page.locator("[name='body-0-value-image-alt_text']")
    # Wagtail pre-fills the image's title ("Pool session"), which describes nothing: the
    # editor clears it, leaving the image without alt text.
    expect(alt_input).to_have_value("Pool session")
    # The chooser may still be closing and fill the field again: let it finish first.
    expect(page.locator(".modal")).to_be_hidden()
    alt_input.fill("")
    expect(alt_input).to_have_value("")
    alt_guidance = page.locator('.clinic-guidance[data-guidance-for="body-0-value-image-alt_text"]')
    expect(alt_guidance).to_contain_text("Say what the image shows")
    steps.shot(page, "editor-image-without-alt")

    open_more_actions(page)
    with page.expect_navigation():
        page.locator("button[name=action-submit]").click()
    expect(page.locator(".messages")).to_contain_text("could not be created")
    expect(page.get_by_text(ALT_MESSAGE)).to_be_visible()
    steps.shot(page, "editor-stopped-with-message")

    alt_input = page.locator("[name='body-0-value-image-alt_text']")
    alt_input.fill(ALT_TEXT)
    expect(alt_guidance).to_contain_text(f"{len(ALT_TEXT)} characters (aim ≤ 100)")
    page.get_by_role("tab", name="Promote").click()
    page.fill("#id_seo_title", SEO_TITLE)
    expect(page.locator('.clinic-guidance[data-guidance-for="seo_title"]')).to_contain_text(
        f"{len(SEO_TITLE)} characters (aim ≤ 60)"
    )
    page.get_by_role("tab", name="Content").click()
    steps.shot(page, "editor-alt-text-added")

    # Preview in a new tab: sends the form as it is now (the side panel's preview refreshes
    # on a timer and can lag behind the last keystroke).
    page.get_by_role("button", name="Toggle preview").click()
    with context.expect_page() as new_tab:
        page.get_by_role("link", name="Preview in new tab").click()
    preview = new_tab.value
    preview.wait_for_load_state()
    expect(preview.locator("h1")).to_have_text(TITLE)
    expect(preview.locator(f'main img[alt="{ALT_TEXT}"]')).to_have_count(1)
    steps.shot(preview, "editor-preview")
    preview.close()

    open_more_actions(page)
    with page.expect_navigation():
        page.locator("button[name=action-submit]").click()
    messages = page.locator(".messages")
    expect(messages).to_contain_text("submitted for moderation")
    edit_url = messages.get_by_role("link", name="Edit").first.get_attribute("href")
    steps.shot(page, "editor-submitted")

    # Not live yet: readers get a 404.
    assert context.request.get(f"{site.base}{site.public_path}").status == 404
    # The editor sees where the submission stands.
    page.goto(f"{site.base}{edit_url}")
    expect(page.get_by_text("This page is currently awaiting moderation")).to_be_visible()
    steps.shot(page, "editor-sees-submission-state")
    context.close()
    return edit_url


def moderator_approves(browser, site: LoopSite, edit_url: str, steps: Steps) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = log_in(context, site.base, "mona")
    expect(page.get_by_text(TITLE).first).to_be_visible()  # "Awaiting your review"
    steps.shot(page, "moderator-dashboard")

    page.goto(f"{site.base}{edit_url}")
    open_more_actions(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Approve and Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(TITLE)
    steps.shot(page, "moderator-approved")
    context.close()


def reader_sees_the_page(browser, site: LoopSite, steps: Steps) -> None:
    context = browser.new_context(user_agent=READER_AGENT)
    page = context.new_page()
    response = page.goto(f"{site.base}{site.public_path}")
    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator(f'main img[alt="{ALT_TEXT}"]').count() == 1
    steps.shot(page, "reader-public-page")

    sitemap = context.request.get(f"{site.base}/sitemap.xml")
    assert sitemap.ok
    assert f"<loc>{site.base}{site.public_path}</loc>" in sitemap.text()
    context.close()


def editor_sees_views_and_findings(browser, site: LoopSite, edit_url: str, steps: Steps) -> str:
    """The page's view count (status panel) and its SEO audit panel, as the editor sees them.
    Returns the audit panel's text."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = log_in(context, site.base, "eddie")
    page.goto(f"{site.base}{edit_url}")
    panel = page.locator("#seo-audit-panel")
    expect(panel).to_be_visible()
    panel.locator("summary").click()
    panel_text = panel.inner_text()
    page.get_by_role("button", name="Toggle status").click()
    expect(page.locator("[data-page-views-status] [data-views]")).to_have_text("1 view")
    steps.shot(page, "editor-sees-views-and-findings")
    context.close()
    return panel_text


def test_editor_to_reader_loop(loop_site, settings):
    from playwright.sync_api import expect, sync_playwright

    # Wagtail 8 autosaves the editor every 500 ms of idle time. An autosave landing between
    # the refused submission and the next click either creates the draft page or answers
    # "Saving will overwrite a newer version", so the steps would not be the same every run.
    # This test is about the people's steps, not about autosave: switch it off.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    # The approval publishes the page; its after-publish audit runs inline (immediate tasks).
    settings.SEO_AUDIT = {
        "AUDIT_AFTER_PUBLISH": True,
        "CRAWL_OPTIONS": {"parse_workers": 0, "timeout": 5.0, "retries": 0},
    }
    # A ceiling for waits (the preview renders on the server), not a speed requirement.
    expect.set_options(timeout=20_000)
    steps = Steps()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                edit_url = editor_creates_and_submits(browser, loop_site, steps)
                moderator_approves(browser, loop_site, edit_url, steps)
                reader_sees_the_page(browser, loop_site, steps)
                panel_text = editor_sees_views_and_findings(browser, loop_site, edit_url, steps)
            except BaseException:
                for context in browser.contexts:
                    for page in context.pages:
                        steps.shot(page, "at-failure")
                raise
            finally:
                browser.close()

        # What the browser showed, in the database.
        service = ServicePage.objects.get(slug=SLUG)
        assert edit_url.rstrip("/").endswith(f"/pages/{service.pk}/edit")
        assert service.live and not service.has_unpublished_changes
        state = service.workflow_states.get()
        assert (state.workflow.name, state.status) == (WORKFLOW_NAME, "approved")
        assert state.requested_by.username == "eddie"
        after_publish_audit = AuditRun.objects.filter(
            single_page=True, trigger=AuditRun.Trigger.PUBLISH, target_url=service.get_full_url()
        )
    except BaseException:
        print(f"\nScreenshots of each step: {steps.folder}")
        raise
    shutil.rmtree(steps.folder, ignore_errors=True)

    run = after_publish_audit.get()
    assert run.status == AuditRun.Status.SUCCEEDED, run.error
    assert run.error_count == 0
    assert "SEO audit: 0 errors" in panel_text
