"""Moving PageViewCount from the pages app to pageviews keeps every stored count.

The database is migrated back to where the model lived in `pages`, counts are written there
with the historical model, and migrating forward must find them all in the new app's table.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pageviews.models import PageViewCount
from pageviews.service import increment, view_total

LAST_WITH_THE_MODEL_IN_PAGES = ("pages", "0003_page_view_counts")
BEFORE_THE_MOVE = [LAST_WITH_THE_MODEL_IN_PAGES, ("pageviews", None)]
OLD_TABLE = "pages_pageviewcount"
NEW_TABLE = "pageviews_pageviewcount"


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_counts_stored_before_the_move_are_all_there_after_it(wagtail_roots):
    content_type_id = ContentType.objects.get_for_model(PageViewCount).pk
    try:
        executor = migrate(BEFORE_THE_MOVE)
        old_state = executor.loader.project_state([LAST_WITH_THE_MODEL_IN_PAGES]).apps
        assert OLD_TABLE in connection.introspection.table_names()
        assert NEW_TABLE not in connection.introspection.table_names()
        assert ContentType.objects.get(pk=content_type_id).app_label == "pages"

        old_model = old_state.get_model("pages", "PageViewCount")
        page_id = old_state.get_model("wagtailcore", "Page").objects.get(depth=1).pk
        days = [datetime.date(2024, 5, 1) + datetime.timedelta(days=n) for n in range(3)]
        old_model.objects.bulk_create(
            old_model(page_id=page_id, date=day, count=100 + n) for n, day in enumerate(days)
        )
    finally:
        migrate_to_latest()  # whatever happens, later tests get the current schema

    tables = connection.introspection.table_names()
    assert NEW_TABLE in tables and OLD_TABLE not in tables
    stored = list(
        PageViewCount.objects.filter(page_id=page_id).order_by("date").values_list("date", "count")
    )
    assert stored == [(days[0], 100), (days[1], 101), (days[2], 102)]
    # The renamed table keeps its id sequence and unique constraint: the upsert still works.
    assert increment(page_id) == 304
    assert view_total(page_id) == 304
    # Permissions hang on the content type, which followed the model.
    assert ContentType.objects.get(pk=content_type_id).app_label == "pageviews"
