"""PageViewCount now belongs to the pageviews app (its 0001 adopts the table): forget it here
in Django's state only, so no row is dropped."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0003_page_view_counts"),
        ("pageviews", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PageViewCount")],
            database_operations=[],
        ),
    ]
