"""The demo content, built once per test session and copied into each test's database.

Building the demo site (images, a dozen pages with revisions, roles, search index) takes
seconds; copying its rows takes milliseconds. ``capture()`` builds it once in a transaction
that is rolled back, keeping every table's rows; ``restore()`` gives the tables the demo
changed exactly those rows, inside whatever transaction the test runs in (a rolled-back test
leaves nothing behind; a transactional test is flushed afterwards as usual). Tables the demo
did not change (users, sessions) keep what the test put there before asking for the demo.
After a flush (the end of a transactional test), content types come back under new ids and
the rows migrations made are gone, so every table is restored then (``full=True``, or found
by ``flushed_since``). The image files stay in the test session's MEDIA_ROOT, so the copied
image rows find them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from wagtail.models import Site

SKIPPED_TABLES = frozenset({"django_migrations"})


@dataclass(frozen=True)
class TableRows:
    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]  # SQLite: values; PostgreSQL: one JSON document
    changed: bool  # the demo build added, changed or removed rows of this table


class _Rollback(Exception):
    """Raised to roll back the capture transaction once the rows are read."""


def _tables() -> list[str]:
    names = connection.introspection.table_names(include_views=False)
    return [name for name in names if name not in SKIPPED_TABLES]


def _read(table: str) -> tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]]:
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows as JSON, so every column type (jsonb, tsvector, arrays) comes back as it
            # went in through jsonb_populate_recordset, whatever the driver would adapt.
            cursor.execute(
                f"SELECT coalesce(jsonb_agg(t ORDER BY t), '[]'::jsonb)::text FROM {quoted} t"
            )
            return (), ((cursor.fetchone()[0],),)
        cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")
        columns = tuple(col[0] for col in cursor.description)
        return columns, tuple(tuple(row) for row in cursor.fetchall())


def capture(build: Callable[[], None]) -> list[TableRows]:
    """Every table's rows after ``build()``; the database is left as it was."""
    captured: list[TableRows] = []
    try:
        with transaction.atomic():
            before = {table: _read(table) for table in _tables()}
            build()
            for table in _tables():
                columns, rows = _read(table)
                changed = before.get(table) != (columns, rows)
                captured.append(TableRows(table, columns, rows, changed))
            raise _Rollback
    except _Rollback:
        pass
    return captured


def flushed_since(snapshot: list[TableRows]) -> bool:
    """True when the database was flushed after the capture (by a transactional test):
    content types then come back under other ids, and only a full restore is consistent."""
    captured = next(t for t in snapshot if t.name == "django_content_type")
    return _read(captured.name) != (captured.columns, captured.rows)


def restore(snapshot: list[TableRows], *, full: bool = False) -> None:
    """Make the changed tables (every table with ``full``) hold exactly the snapshot's rows.
    Foreign keys are checked at commit: Django creates them deferrable, on SQLite and
    PostgreSQL alike."""
    full = full or flushed_since(snapshot)
    with transaction.atomic(), connection.cursor() as cursor:
        for table in snapshot:
            if not (full or table.changed):
                continue
            quoted = connection.ops.quote_name(table.name)
            cursor.execute(f"DELETE FROM {quoted}")
            if connection.vendor == "postgresql":
                (document,) = table.rows[0]
                if document != "[]":
                    cursor.execute(
                        f"INSERT INTO {quoted} SELECT * FROM "
                        f"jsonb_populate_recordset(NULL::{quoted}, %s::jsonb)",
                        [document],
                    )
            elif table.rows:
                columns = ", ".join(connection.ops.quote_name(c) for c in table.columns)
                marks = ", ".join(["%s"] * len(table.columns))
                cursor.executemany(f"INSERT INTO {quoted} ({columns}) VALUES ({marks})", table.rows)
        if connection.vendor == "postgresql":
            # Rows came in with their ids: move each sequence past them.
            for sql in connection.ops.sequence_reset_sql(
                no_style(), apps.get_models(include_auto_created=True)
            ):
                cursor.execute(sql)
    # Ids cached from before the copy (content types, site roots) may no longer be right.
    ContentType.objects.clear_cache()
    Site.clear_site_root_paths_cache()
