"""The demo site is our showcase: our own auditor must find nothing to fix on it."""

import pytest

from audit.engine import AuditConfig, audit_site


@pytest.mark.django_db(transaction=True)
def test_demo_site_has_no_errors_or_warnings_in_our_own_audit(live_demo_site):
    # slow-response measures the test machine's load, not the HTML, so it is left out here.
    config = AuditConfig(disabled_checks=frozenset({"slow-response"}), concurrency=4)
    result = audit_site(live_demo_site.url + "/", config)
    assert len(result.pages) == 9
    findings = [(page.url, f.check, f.message) for page in result.pages for f in page.findings]
    assert findings == []
    views = {page.url.removeprefix(live_demo_site.url): page.views for page in result.pages}
    assert views["/services/ims/"] == 23
