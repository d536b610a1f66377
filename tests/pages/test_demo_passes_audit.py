"""The demo site is our showcase: our own auditor must find nothing to fix on it."""

import pytest

from audit.engine import audit_site
from audit.options import build_config
from tests.chromium import needs_chromium

# The nine pages, and a listing for each of the demo articles' seven tags (/articles/?tag=…).
DEMO_PAGES = 9 + 7


@pytest.mark.django_db(transaction=True)
def test_demo_site_has_no_errors_or_warnings_in_our_own_audit(live_demo_site):
    # slow-response measures the test machine's load, not the HTML, so it is left out here.
    # Audited as the CMS audits its own site: with its profile (view counts expected).
    config = build_config({"disabled_checks": ["slow-response"], "concurrency": 4})
    assert config.profile_for(live_demo_site.url + "/").views_expected
    result = audit_site(live_demo_site.url + "/", config)
    assert len(result.pages) == DEMO_PAGES
    findings = [(page.url, f.check, f.message) for page in result.pages for f in page.findings]
    # Pages with no picture of their own share the clinic's share image, so no og-missing.
    assert findings == []
    views = {page.url.removeprefix(live_demo_site.url): page.views for page in result.pages}
    assert views["/services/ims/"] == 23


@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_demo_site_has_no_axe_violations_in_either_colour_scheme(live_demo_site):
    # Lab timings (LCP, TBT) measure the test machine's load, not the pages: left out here.
    config = build_config(
        {
            "disabled_checks": ["slow-response", "browser/lcp-slow", "browser/tbt-high"],
            "concurrency": 4,
            "browser": True,
        }
    )
    result = audit_site(live_demo_site.url + "/", config)
    assert len(result.pages) == DEMO_PAGES
    browser = result.stats["browser"]
    # Every page rendered (axe runs in the light and then the dark scheme on each).
    assert (browser["pages_rendered"], browser["pages_failed"]) == (DEMO_PAGES, 0), browser
    assert browser["disagreements"] == [], browser
    findings = [(page.url, f.check, f.message) for page in result.pages for f in page.findings]
    assert findings == []
