"""The browser pass reports its progress: the stored run says how many pages were rendered of
how many to render while Chromium works, and the heartbeat advances with them (the run page's
words: tests/audit/admin/test_browser_progress_page.py)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from audit.models import AuditRun
from audit.services import create_run, execute_run
from tests.audit.engine.browser_site import PAGES, BrowserSiteHandler
from tests.chromium import needs_chromium
from tests.fixture_server import LoopbackServer


@pytest.mark.browser
@needs_chromium
def test_the_stored_run_counts_pages_rendered_of_pages_to_render(
    transactional_db, fast_options, settings
) -> None:
    settings.SEO_AUDIT = {"POLL_INTERVAL": 0.05, "STALE_AFTER": 60.0}
    seen: list[tuple[int, int, object]] = []
    lock = threading.Lock()
    run_id: list[int] = []

    class Watching(BrowserSiteHandler):
        """Reads the run's stored browser progress each time Chromium asks for something."""

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if run_id:
                try:
                    row = AuditRun.objects.filter(pk=run_id[0]).values_list(
                        "browser_pages_done", "browser_pages_to_render", "heartbeat_at"
                    )[0]
                finally:
                    connection.close()
                if row[1] is not None:
                    with lock:
                        seen.append(row)
            super().do_GET()

    with LoopbackServer(Watching, lifetime=120.0) as server:
        run = create_run(
            server.url("/"),
            trigger=AuditRun.Trigger.COMMAND,  # the command line's rules: loopback allowed
            options={
                **fast_options,
                "browser": True,
                "browser_contexts": 1,  # one page at a time: progress in small steps
                "exclude": ["/hang"],  # a page that never loads only slows the test
            },
        )
        run_id.append(run.pk)
        run = execute_run(run)
    assert run.status == AuditRun.Status.SUCCEEDED, run.error

    browser = run.stats["browser"]
    to_render = browser["pages_planned"]
    assert to_render == len(PAGES)  # the index and every page but /hang
    # After: every page done, of the same number to render.
    assert (run.browser_pages_done, run.browser_pages_to_render) == (to_render, to_render)
    assert browser["pages_rendered"] + browser["pages_failed"] == to_render
    # During: stored as it went, counting up to the pages to render, beating as it went.
    assert {total for _, total, _ in seen} == {to_render}
    done = [d for d, _, _ in seen]
    assert done == sorted(done) and done[0] < to_render
    assert len(set(done)) >= 3, done
    beats = {d: beat for d, _, beat in seen}
    assert sorted(beats.values()) == [beats[d] for d in sorted(beats)]
    assert len(set(beats.values())) == len(beats)
