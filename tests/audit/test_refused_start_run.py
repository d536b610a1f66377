"""Issue 24 case 8, the stored run: a start URL that redirects to file:// ends the run failed,
with a message naming the refused redirect and no score (a real server on 127.0.0.1)."""

from __future__ import annotations

from audit.models import AuditRun
from audit.services import create_run
from audit.tasks import run_audit
from tests.audit.engine.hostile_server import HostileServer


def test_a_start_redirect_to_a_file_url_fails_the_stored_run(transactional_db, fast_options):
    with HostileServer(lifetime=30, redirect_to="file:///etc/passwd") as server:
        run = create_run(server.url("/redirect"), options=fast_options)
        assert run_audit.call(run.pk) == AuditRun.Status.FAILED
    run.refresh_from_db()
    assert run.status == AuditRun.Status.FAILED
    assert "not a valid http(s) URL" in run.error
    assert "The refused redirect: file:///etc/passwd." in run.error
    assert "\n" not in run.error
    assert run.score is None
