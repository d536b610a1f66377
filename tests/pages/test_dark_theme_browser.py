"""The public site follows the reader's colour scheme: dark surfaces and light text under
`prefers-color-scheme: dark`, the light theme otherwise. AA contrast in both is checked by the
audit's own browser pass over the demo site (test_demo_passes_audit.py)."""

from __future__ import annotations

import pytest

from tests.chromium import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from tests.editor.browser import READER_AGENT

pytestmark = BROWSER_MARKS

# The colours a reader sees, as relative luminance (WCAG's formula), on the elements that carry
# the theme: the page, the header, a card, the text and a button.
LUMINANCE = """() => {
  const channel = (c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const lum = (css) => { const [r, g, b] = css.match(/\\d+(\\.\\d+)?/g).map(Number);
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b); };
  const style = (sel) => getComputedStyle(document.querySelector(sel));
  return {
    page: lum(style("body").backgroundColor),
    header: lum(style(".site-header").backgroundColor),
    card: lum(style(".service-card").backgroundColor),
    text: lum(style("body").color),
    button: lum(style(".header-book").backgroundColor),
    button_text: lum(style(".header-book").color),
  };
}"""


@pytest.mark.django_db(transaction=True)
def test_the_site_is_dark_for_readers_who_chose_dark_and_light_otherwise(live_demo_site):
    from playwright.sync_api import sync_playwright

    seen = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for scheme in ("light", "dark"):
                context = browser.new_context(color_scheme=scheme, user_agent=READER_AGENT)
                page = context.new_page()
                page.goto(live_demo_site.url + "/")
                seen[scheme] = page.evaluate(LUMINANCE)
                context.close()
        finally:
            browser.close()
    light, dark = seen["light"], seen["dark"]
    assert min(light["page"], light["header"], light["card"]) > 0.8 and light["text"] < 0.05
    assert max(dark["page"], dark["header"], dark["card"]) < 0.05 and dark["text"] > 0.7

    def ratio(a: float, b: float) -> float:
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)

    for scheme, colours in seen.items():
        assert ratio(colours["button"], colours["button_text"]) >= 4.5, scheme
