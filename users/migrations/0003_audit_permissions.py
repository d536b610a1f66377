"""Grant the marketing roles the SEO audit permissions, now that the audit app has its models."""

from django.db import migrations

from users.roles import ensure_roles


def forwards(apps, schema_editor):
    ensure_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0002_marketing_roles"),
        ("audit", "0002_finding_fingerprint_index"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
