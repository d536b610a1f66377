"""manage.py import_view_counts: good files, bad rows with line numbers, all-or-nothing."""

from __future__ import annotations

import datetime
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from wagtail.models import Page, PageViewRestriction

from pages.models import ArticlePage, ServicePage
from pageviews import importer
from pageviews.models import PageViewCount
from pageviews.service import view_total, view_totals

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def pages(demo_site):
    ims = ServicePage.objects.get(slug="ims")
    article = ArticlePage.objects.live().order_by("pk").first()
    return ims, article


def write_csv(tmp_path: Path, text: str, name: str = "views.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_view_counts", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot() -> list[tuple]:
    return list(
        PageViewCount.objects.order_by("page_id", "date").values_list("page_id", "date", "count")
    )


def test_a_good_file_is_imported(tmp_path, pages):
    ims, article = pages
    before = view_totals([ims.pk, article.pk])
    path = write_csv(
        tmp_path,
        "page,date,count\n"
        f"{ims.pk},2024-05-01,10\n"
        "/services/ims/,2024-05-02,5\n"
        "https://old-site.example/services/ims/?utm=x,total,1200\n"
        f'\n{article.url},2024-05-01,"1,000"\n',
    )
    out, err = run(path)
    assert err == ""
    assert out.strip() == "Imported 4 row(s): 2215 view(s) for 2 page(s)."
    stored = dict(
        PageViewCount.objects.filter(page=ims, date__year__lt=2025).values_list("date", "count")
    )
    assert stored == {
        datetime.date(2024, 5, 1): 10,
        datetime.date(2024, 5, 2): 5,
        importer.TOTAL_DATE: 1200,
    }
    assert view_totals([ims.pk, article.pk]) == {
        ims.pk: before[ims.pk] + 1215,
        article.pk: before[article.pk] + 1000,
    }


def test_importing_the_same_file_twice_changes_nothing(tmp_path, pages):
    ims, _ = pages
    path = write_csv(tmp_path, f"{ims.pk},2024-05-01,10\n{ims.pk},total,300\n")
    run(path)
    once = snapshot()
    run(path)
    assert snapshot() == once
    assert view_total(ims.pk) == 23 + 310


def test_total_rows_can_go_on_another_day(tmp_path, pages):
    ims, _ = pages
    run(write_csv(tmp_path, f"{ims.pk},total,300\n"), "--total-date", "2019-12-31")
    assert PageViewCount.objects.get(page=ims, date=datetime.date(2019, 12, 31)).count == 300


def test_bad_rows_are_listed_with_line_numbers_and_nothing_is_imported(tmp_path, pages):
    ims, article = pages
    before = snapshot()
    path = write_csv(
        tmp_path,
        "page,date,count\n"  # 1
        f"{ims.pk},2024-05-01,10\n"  # 2 good
        "999999,2024-05-01,3\n"  # 3 unknown id
        "/no/such/page/,2024-05-01,3\n"  # 4 unknown path
        f"{ims.pk},01/05/2024,3\n"  # 5 bad date
        f"{ims.pk},2024-05-03,-4\n"  # 6 negative
        f"{ims.pk},2024-05-04,lots\n"  # 7 not a number
        f"{ims.pk},2024-05-05\n"  # 8 missing column
        f"/services/ims/,2024-05-01,7\n"  # 9 duplicate of line 2
        f"{article.pk},2999-01-01,1\n"  # 10 future
        f"{article.pk},2024-05-01,99999999999\n"  # 11 too large
        f",2024-05-01,1\n",  # 12 no page
    )
    err = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_view_counts", str(path), stdout=StringIO(), stderr=err)
    assert str(error.value) == f"{path}: 10 bad row(s); nothing was imported."
    reported = [line.split(":", 1)[0] for line in err.getvalue().splitlines()]
    assert reported == [f"line {n}" for n in range(3, 13)]
    assert "line 9: same page and date as line 2" in err.getvalue()
    assert snapshot() == before


def test_the_bad_rows_report_names_each_line(tmp_path, pages):
    ims, _ = pages
    path = write_csv(
        tmp_path,
        f"{ims.pk},2024-05-01,10\n999999,2024-05-01,3\n{ims.pk},May,x\n/services/ims/,2024-05-01,1\n",
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_view_counts", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "line 2: no page with id 999999",
        "line 3: date 'May' is not YYYY-MM-DD or 'total'; count 'x' is not a whole number",
        "line 4: same page and date as line 1 (give each page one row per date)",
    ]


def test_a_failure_while_writing_leaves_nothing_half_imported(tmp_path, pages, monkeypatch):
    """Every row is valid; the database write fails part-way (fault injected after the first
    batch has been written): the transaction rolls the first batch back."""
    ims, article = pages
    before = snapshot()
    monkeypatch.setattr(importer, "BATCH_SIZE", 1)
    real_write = importer.write_batch
    calls = []

    def failing_write(batch):
        calls.append(batch)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real_write(batch)

    monkeypatch.setattr(importer, "write_batch", failing_write)
    path = write_csv(tmp_path, f"{ims.pk},2024-05-01,10\n{article.pk},2024-05-01,20\n")
    with pytest.raises(RuntimeError):
        run(path)
    assert len(calls) == 2
    assert snapshot() == before


def test_dry_run_checks_without_writing(tmp_path, pages):
    ims, _ = pages
    before = snapshot()
    out, _ = run(write_csv(tmp_path, f"{ims.pk},2024-05-01,10\n"), "--dry-run")
    assert out.strip() == "Checked (dry run, nothing written) 1 row(s): 10 view(s) for 1 page(s)."
    assert snapshot() == before


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "line 1: the file has no rows to import"),
        (b"page,date,count\n", "line 1: the file has no rows to import"),
    ],
)
def test_empty_files_are_an_error(tmp_path, pages, content, message):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_view_counts", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().strip() == message


def test_unreadable_files_are_a_one_line_error(tmp_path, pages):
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("/caf\xe9/,2024-05-01,1\n".encode("latin-1"))
    with pytest.raises(CommandError) as error:
        run(latin1)
    assert str(error.value) == f"{latin1}: not UTF-8 text (byte 4)"
    with pytest.raises(CommandError) as error:
        run(tmp_path / "missing.csv")
    assert str(error.value) == f"{tmp_path / 'missing.csv'}: no such file"


def test_the_command_exits_non_zero_with_a_one_line_error(tmp_path):
    missing = tmp_path / "missing.csv"
    result = subprocess.run(
        [sys.executable, "manage.py", "import_view_counts", str(missing)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "cms.settings.test"},
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"CommandError: {missing}: no such file"


# --- pages no reader can have viewed --------------------------------------------------------


def refused(path: Path) -> tuple[list[str], str]:
    """(the error lines, the command's error) of an import that must change nothing."""
    before = snapshot()
    err = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_view_counts", str(path), stdout=StringIO(), stderr=err)
    assert snapshot() == before
    return err.getvalue().strip().splitlines(), str(error.value)


def test_counts_for_the_tree_root_are_refused(tmp_path, pages):
    ims, _ = pages
    root = Page.objects.get(depth=1)
    path = write_csv(tmp_path, f"page,date,count\n{ims.pk},2024-05-01,10\n{root.pk},total,9000\n")
    errors, summary = refused(path)
    assert errors == [
        f"line 3: page {root.pk} is the tree root, which readers never see; give a page of the site"
    ]
    assert summary == f"{path}: 1 bad row(s); nothing was imported."


def test_counts_for_a_never_published_draft_are_refused(tmp_path, pages):
    ims, _ = pages
    draft = ims.copy(
        to=ims.get_parent(),
        update_attrs={"title": "Shockwave therapy", "slug": "shockwave-therapy"},
        keep_live=False,
    )
    assert not draft.live and draft.last_published_at is None
    path = write_csv(
        tmp_path, f"/services/shockwave-therapy/,2024-05-01,40\n{ims.pk},2024-05-02,10\n"
    )
    errors, _ = refused(path)
    assert errors == [
        f"line 1: page {draft.pk} ('Shockwave therapy') has never been published; "
        "publish it first or leave its rows out"
    ]


def test_counts_for_an_unpublished_page_that_was_live_are_kept(tmp_path, pages):
    """Views a page had while it was live are real; only never-published drafts are refused."""
    ims, _ = pages
    ims.unpublish()
    out, _ = run(write_csv(tmp_path, f"{ims.pk},2024-05-01,10\n"))
    assert out.startswith("Imported 1 row(s)")


@pytest.mark.parametrize("restricted", ["page", "section"])
def test_counts_for_private_pages_are_refused(tmp_path, pages, restricted):
    ims, article = pages
    PageViewRestriction.objects.create(
        page=ims if restricted == "page" else ims.get_parent(),
        restriction_type=PageViewRestriction.LOGIN,
    )
    path = write_csv(tmp_path, f"{article.pk},2024-05-01,5\n/services/ims/,2024-05-01,10\n")
    errors, _ = refused(path)
    assert errors == [
        f"line 2: page {ims.pk} is private (a view restriction on it or a section above it); "
        "only public pages take view counts"
    ]


def _import_in_a_subprocess(path: Path, database_url: str, **env: str):
    return subprocess.run(
        [sys.executable, "manage.py", "import_view_counts", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "cms.settings.test",
            "DATABASE_URL": database_url,
            **env,
        },
        timeout=120,
    )


def _counts_rows(pages) -> str:
    return "".join(f"{page.pk},2024-05-0{day},{day}\n" for page in pages for day in (1, 2))


@pytest.mark.django_db(transaction=True)
def test_a_database_error_is_one_line_rolled_back_and_non_zero(tmp_path, pages):
    """A real fault: the command runs in its own process while this test keeps other writers
    off the database (SQLite: a copy of the test database with its write lock held;
    PostgreSQL: the view-count table locked, and the command's lock_timeout short), so its
    write fails (rows were checked first). It must say what failed in one line, keep
    nothing, exit 1."""
    path = write_csv(tmp_path, _counts_rows(pages))
    if connection.vendor == "sqlite":
        result, before, after = _import_while_sqlite_is_locked(tmp_path, path)
        reason = "database is locked"
    else:
        result, before, after = _import_while_postgres_table_is_locked(path)
        reason = "canceling statement due to lock timeout"
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"CommandError: {path}: the database failed ({reason}); nothing was imported (rolled back)"
    )
    assert after == before


COUNTS_SQL = "SELECT COUNT(*), SUM(count) FROM pageviews_pageviewcount"


def _import_while_sqlite_is_locked(tmp_path: Path, path: Path):
    copy = tmp_path / "copy.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    holder = sqlite3.connect(copy, isolation_level=None)
    before = holder.execute(COUNTS_SQL).fetchone()
    holder.execute("BEGIN IMMEDIATE")  # readers may go on; no other writer may
    try:
        result = _import_in_a_subprocess(path, f"sqlite:///{copy}")
    finally:
        holder.execute("ROLLBACK")
    after = holder.execute(COUNTS_SQL).fetchone()
    holder.close()
    return result, before, after


def _import_while_postgres_table_is_locked(path: Path):
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL)
        before = cursor.fetchone()
    with transaction.atomic(), connection.cursor() as cursor:
        # Readers may go on (the command checks its rows first); no writer may.
        cursor.execute("LOCK TABLE pageviews_pageviewcount IN EXCLUSIVE MODE")
        # libpq reads PGOPTIONS: the command's writes give up after a second of waiting.
        result = _import_in_a_subprocess(path, url, PGOPTIONS="-c lock_timeout=1000")
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL)
        after = cursor.fetchone()
    return result, before, after
