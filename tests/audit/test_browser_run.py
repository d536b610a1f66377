"""A stored audit run with the browser pass switched on through the run's options."""

from __future__ import annotations

from audit.models import AuditRun, Finding
from audit.options import build_config
from audit.services import create_run, execute_run
from tests.audit.engine.browser_site import browser_site
from tests.chromium import BROWSER_MARKS

pytestmark = BROWSER_MARKS


def test_browser_option_stores_axe_findings_and_versions(transactional_db, fast_options) -> None:
    with browser_site() as server:
        run = create_run(
            server.url("/schemes"),
            trigger=AuditRun.Trigger.COMMAND,  # the command line's rules: loopback allowed
            options={**fast_options, "browser": True, "browser_page_timeout": 20.0},
            single_page=True,
        )
        run = execute_run(run)
    assert run.status == AuditRun.Status.SUCCEEDED, run.error
    stored = Finding.objects.filter(run=run, check_id="axe/color-contrast")
    assert {f.selector for f in stored} >= {".light-bad", ".dark-bad"}
    assert run.stats["browser"]["axe_core_version"] == "4.14.1"
    assert run.error_count >= 2


def test_run_options_switch_the_pass_on(db) -> None:
    config = build_config({"browser": True, "browser_sample": 20})
    assert (config.browser, config.browser_sample) == (True, 20)
    assert build_config(None).browser is False
