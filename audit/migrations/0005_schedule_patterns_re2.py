"""Schedules' include/exclude patterns now run on RE2 (audit/engine/patterns.py).

Most Python regexes are RE2 regexes as they are. The one Python spelling RE2 has another word
for, ``\\Z`` (end of text), becomes ``\\z``. A schedule whose patterns RE2 still refuses
(backreferences, lookaround) cannot run any more: it is disabled, keeps its patterns for its
owner to rewrite (the form then names the problem), and the migration prints which one.
"""

import re2
from django.db import migrations

PATTERN_KEYS = ("include", "exclude")


def _runs_on_re2(pattern):
    options = re2.Options()
    options.log_errors = False
    try:
        re2.compile(pattern, options)
    except re2.error:
        return False
    return True


def _rewritten(patterns):
    if isinstance(patterns, str):
        patterns = [patterns]
    out = []
    for pattern in patterns or ():
        if isinstance(pattern, str) and not _runs_on_re2(pattern):
            pattern = pattern.replace(r"\Z", r"\z")
        out.append(pattern)
    return out


def forwards(apps, schema_editor):
    AuditSchedule = apps.get_model("audit", "AuditSchedule")
    for schedule in AuditSchedule.objects.all():
        options = schedule.crawl_options
        if not isinstance(options, dict) or not any(key in options for key in PATTERN_KEYS):
            continue
        changed = dict(options)
        refused = []
        for key in PATTERN_KEYS:
            if key in changed:
                changed[key] = _rewritten(changed[key])
                refused += [p for p in changed[key] if isinstance(p, str) and not _runs_on_re2(p)]
        fields = []
        if changed != options:
            schedule.crawl_options = changed
            fields.append("crawl_options")
        if refused and schedule.enabled:
            schedule.enabled = False
            schedule.next_due = None
            fields += ["enabled", "next_due"]
            print(
                f"\n  Schedule {schedule.pk} ({schedule.name!r}) disabled: its pattern "
                f"{refused[0]!r} needs Python's regex engine; rewrite it without "
                "backreferences or lookaround and enable the schedule again."
            )
        if fields:
            schedule.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_auditschedule_browser_pass"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
