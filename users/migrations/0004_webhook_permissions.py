"""Grant the marketing moderators (the managers) the webhooks permission, now that the
webhooks app has its models."""

from django.db import migrations

from users.roles import ensure_roles


def forwards(apps, schema_editor):
    ensure_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0003_audit_permissions"),
        ("webhooks", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
