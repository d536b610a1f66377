"""PageViewCount moves here from the pages app: in Django's state only, the rows stay put.

The table `pages_pageviewcount` is adopted as it is (renamed by 0002); pages.0004 removes the
model from the pages app's state, also without touching the database. The model's content type
(and with it any permissions granted on it) is relabelled so it follows the model.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD_TABLE = "pages_pageviewcount"


def relabel_content_type(apps, schema_editor, old_label="pages", new_label="pageviews"):
    content_types = apps.get_model("contenttypes", "ContentType")
    if content_types.objects.filter(app_label=new_label, model="pageviewcount").exists():
        return  # already made by a post_migrate run; the old one is left alone
    content_types.objects.filter(app_label=old_label, model="pageviewcount").update(
        app_label=new_label
    )


def restore_content_type(apps, schema_editor):
    relabel_content_type(apps, schema_editor, old_label="pageviews", new_label="pages")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("pages", "0003_page_view_counts"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PageViewCount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("date", models.DateField()),
                        ("count", models.PositiveIntegerField(default=0)),
                        (
                            "page",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="view_counts",
                                to=settings.WAGTAIL_PAGE_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "page view count",
                        "db_table": OLD_TABLE,
                        "indexes": [models.Index(fields=["date"], name="pages_view_count_date")],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("page", "date"), name="pages_view_count_page_date"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type, restore_content_type),
    ]
