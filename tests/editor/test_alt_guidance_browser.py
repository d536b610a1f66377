"""The alt text counter in the editor and the audit's alt checks give the same verdicts: a file
name or a word like "image" is flagged while the editor types, not first in the next audit."""

from __future__ import annotations

import re

from audit.engine.checks.images import GENERIC_ALT, looks_like_filename
from pages.models import ServiceIndexPage
from tests.chromium import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from tests.editor.browser import log_in
from tests.users.helpers import make_user
from users.roles import EDITORS

pytestmark = BROWSER_MARKS

SAMPLES = [
    "IMG_2041.jpg",
    "photo.png",
    "image",
    "Photo!",
    "DSC00123",
    "Screenshot 2024",
    "hero_banner",
    "thumbnail",
    "A physiotherapist easing a fine needle into a forearm muscle",
    "Two treatment beds by a window",
    "Knee brace.",
]


def audit_flags(alt: str) -> bool:
    """What the audit's img-alt-filename and img-alt-generic checks say of this alt text."""
    generic = " ".join(re.sub(r"[^\w\s]", " ", alt.lower()).split()) in GENERIC_ALT
    return generic or looks_like_filename(alt, "")


def test_the_samples_cover_both_verdicts():
    assert {audit_flags(alt) for alt in SAMPLES} == {True, False}


def test_the_alt_counter_flags_what_the_audit_flags(live_demo_site, settings):
    from playwright.sync_api import expect, sync_playwright

    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    make_user("eddie", group=EDITORS)
    services = ServiceIndexPage.objects.get()
    base = live_demo_site.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = log_in(browser.new_context(), base, "eddie")
            page.goto(f"{base}/admin/pages/add/pages/servicepage/{services.pk}/")
            note = page.locator('.clinic-guidance[data-guidance-for="hero_image_alt"]')
            verdicts, messages = {}, {}
            for alt in SAMPLES:
                page.fill("[name='hero_image_alt']", alt)
                # Wait for this value's own note: flagged ones quote it, others count it.
                expect(note).to_contain_text(
                    f'"{alt.strip()}"' if audit_flags(alt) else f"{len(alt)} characters"
                )
                verdicts[alt] = note.get_attribute("data-state") == "warn"
                messages[alt] = note.inner_text()
        finally:
            browser.close()
    assert verdicts == {alt: audit_flags(alt) for alt in SAMPLES}
    assert "looks like a file name" in messages["IMG_2041.jpg"]
    assert "tells a screen reader user nothing" in messages["image"]
