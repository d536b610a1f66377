"""Retire Wagtail's default "Editors" and "Moderators" groups and its "Moderators approval"
workflow while nobody uses them: the marketing roles do their jobs (users/roles.py)."""

from django.db import migrations

from users.roles import retire_wagtail_defaults


def forwards(apps, schema_editor):
    retire_wagtail_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("users", "0004_webhook_permissions")]

    # Not recreated on the way back: Wagtail's own migrations made them once, and an
    # administrator who wants such groups makes them under Settings → Groups.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
