"""A schedule's patterns are RE2 patterns, refused when the form is saved (issue 24, case 2),
and schedules stored before the switch are migrated."""

from __future__ import annotations

import json
from datetime import time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.models import AuditSchedule
from tests.audit.admin.conftest import client_for, make_user, schedule_data

NEW = "/admin/seo-audits/schedules/new/"
MANAGER_PERMS = ("wagtailadmin.access_admin", "audit.view_auditrun", "audit.manage_audits")
BEFORE = [("audit", "0004_auditschedule_browser_pass")]


@pytest.fixture
def manager(demo_site):
    return client_for(make_user("max", *MANAGER_PERMS))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "shown"),
    [
        (
            {"include": [r"/(\w+)/\1/"]},
            "include pattern &#x27;/(\\\\w+)/\\\\1/&#x27; cannot be used",
        ),
        ({"exclude": ["/blog/(?!2024)"]}, "exclude pattern &#x27;/blog/(?!2024)&#x27; cannot be"),
        ({"exclude": "/a(?<=a)"}, "exclude pattern"),
        ({"include": [7]}, "include pattern must be text"),
        ({"strip_query_params": [""]}, "strip_query_params pattern must be"),
    ],
)
def test_the_form_refuses_patterns_re2_cannot_run(manager, options, shown):
    response = manager.post(NEW, schedule_data(crawl_options=json.dumps(options)))
    html = response.content.decode()
    assert response.status_code == 200
    assert shown in html
    if "cannot be used" in shown:
        assert "RE2 regular expression (no backreferences or lookaround)" in html
    assert not AuditSchedule.objects.exists()


@pytest.mark.django_db
def test_the_form_accepts_the_catastrophic_pattern_because_re2_runs_it_linearly(manager):
    options = {"include": ["(a+)+$"], "exclude": [r"\.pdf\z"], "strip_query_params": ["utm_*"]}
    response = manager.post(NEW, schedule_data(crawl_options=json.dumps(options)))
    assert response.status_code == 302
    assert AuditSchedule.objects.get().crawl_options == options


@pytest.mark.django_db(transaction=True)
def test_stored_schedules_migrate_to_re2(wagtail_roots, capsys):
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("audit", "AuditSchedule")
        common = {"preset": "weekly", "time_of_day": time(3, 0), "time_zone": "UTC"}
        plain = old.objects.create(name="plain", crawl_options={"include": ["^/blog/"]}, **common)
        anchored = old.objects.create(
            name="anchored", crawl_options={"exclude": r"\.pdf\Z", "max_pages": 9}, **common
        )
        lookaround = old.objects.create(
            name="lookaround", crawl_options={"exclude": ["/x/(?!keep)"]}, **common
        )
        none = old.objects.create(name="none", crawl_options={}, **common)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    by_name = {s.name: s for s in AuditSchedule.objects.all()}
    assert by_name["plain"].crawl_options == {"include": ["^/blog/"]} and by_name["plain"].enabled
    assert by_name["anchored"].crawl_options == {"exclude": [r"\.pdf\z"], "max_pages": 9}
    assert by_name["anchored"].enabled
    assert by_name["lookaround"].crawl_options == {"exclude": ["/x/(?!keep)"]}
    assert not by_name["lookaround"].enabled and by_name["lookaround"].next_due is None
    assert by_name["none"].enabled
    printed = capsys.readouterr().out
    assert f"Schedule {lookaround.pk} ('lookaround') disabled" in printed
    assert str(plain.pk) not in printed.replace(str(lookaround.pk), "")
    assert {anchored.pk, none.pk} <= set(by_name[n].pk for n in by_name)
