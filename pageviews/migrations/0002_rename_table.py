"""The adopted table takes this app's name: pages_pageviewcount -> pageviews_pageviewcount."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pageviews", "0001_initial"),
        ("pages", "0004_move_view_counts_to_pageviews"),
    ]

    operations = [migrations.AlterModelTable(name="PageViewCount", table=None)]
