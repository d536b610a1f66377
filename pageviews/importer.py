"""Carry view counts over from an old site: read a CSV, check every row, then write all or none.

Each row is `page, date, count`:
- page: a page id (`12`), a path (`/services/ims/`) or a full URL from the old site
  (`https://old.example/services/ims/`; only the path is used, looked up under the site);
- date: `YYYY-MM-DD` for that day's views, or `total` for a lifetime total with no dates, which
  is stored on TOTAL_DATE (so it counts towards "all time" but not towards recent periods);
- count: a whole number >= 0.
Only pages readers can have viewed take counts: not the tree root, not a page that was never
published, not a private page (a view restriction on it or a section above it).
A header row (e.g. `page,date,count`) is recognised and skipped. An imported row replaces the
count stored for that page and day, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.db import DatabaseError, transaction
from django.utils import timezone
from wagtail.models import Page, Site

from cms.errors import ClinicError
from pageviews.models import PageViewCount

TOTAL_DATE = datetime.date(2000, 1, 1)
MAX_COUNT = 2_147_483_647  # the column is a 32-bit integer on PostgreSQL
BATCH_SIZE = 1000
HEADER_WORDS = {"page", "page_id", "url", "path", "date", "day", "count", "views"}


class ImportFailed(ClinicError):
    """The file cannot be imported; `errors` are one-line messages, nothing was written."""

    def __init__(self, errors: list[str]):
        super().__init__(errors[0] if errors else "import failed")
        self.errors = errors


class UnreadableFile(ImportFailed):
    """The file itself could not be read (missing, a directory, not UTF-8)."""


class DatabaseFailed(ImportFailed):
    """The database failed while checking or writing (locked, gone, full): the transaction
    rolled back, so nothing of the file was stored."""


@dataclass
class ParsedRow:
    line: int
    page_ref: str
    day: datetime.date
    count: int


@dataclass
class ImportResult:
    rows: int = 0
    views: int = 0
    page_ids: set[int] = field(default_factory=set)


def import_view_counts(
    path: Path,
    *,
    site: Site | None = None,
    total_date: datetime.date = TOTAL_DATE,
    dry_run: bool = False,
) -> ImportResult:
    """Check every row of the CSV at `path`; if all are good, store them in one transaction.

    Raises ImportFailed listing every bad row as "line N: …" (and writes nothing).
    """
    text = _read_text(path)
    rows, errors = parse_rows(text, total_date)
    try:
        return _check_and_write(path, rows, errors, site, dry_run)
    except DatabaseError as exc:
        # One line for people (the first line of the driver's message), no traceback.
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DatabaseFailed(
            [f"{path}: the database failed ({reason}); nothing was imported (rolled back)"]
        ) from None


def _check_and_write(
    path: Path, rows: list[ParsedRow], errors: list[str], site: Site | None, dry_run: bool
) -> ImportResult:
    site = site or Site.objects.filter(is_default_site=True).select_related("root_page").first()
    resolved, lookup_errors = resolve_pages(rows, site)
    errors.extend(lookup_errors)
    errors.extend(refuse_unviewable_pages(rows, resolved))
    errors.extend(_duplicates(rows, resolved))
    if errors:
        errors.sort(key=_line_number)
        raise ImportFailed(errors)
    result = ImportResult(
        rows=len(rows), views=sum(row.count for row in rows), page_ids=set(resolved.values())
    )
    if not dry_run:
        counts = [
            PageViewCount(page_id=resolved[row.line], date=row.day, count=row.count) for row in rows
        ]
        with transaction.atomic():
            for start in range(0, len(counts), BATCH_SIZE):
                write_batch(counts[start : start + BATCH_SIZE])
    return result


def write_batch(counts: list[PageViewCount]) -> None:
    """Insert or replace (page, date) counts in one statement."""
    PageViewCount.objects.bulk_create(
        counts, update_conflicts=True, unique_fields=["page", "date"], update_fields=["count"]
    )


def _read_text(path: Path) -> str:
    try:
        return Path(path).read_bytes().decode("utf-8-sig")  # tolerate Excel's byte-order mark
    except FileNotFoundError:
        raise UnreadableFile([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise UnreadableFile([f"{path}: is a directory, not a CSV file"]) from None
    except UnicodeDecodeError as exc:
        raise UnreadableFile([f"{path}: not UTF-8 text (byte {exc.start})"]) from None


def parse_rows(text: str, total_date: datetime.date) -> tuple[list[ParsedRow], list[str]]:
    """Rows and "line N: …" errors; blank lines and a header row are skipped."""
    rows: list[ParsedRow] = []
    errors: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    today = timezone.localdate()
    try:
        for cells in reader:
            line = reader.line_num
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            if not rows and not errors and {c.lower() for c in cells} <= HEADER_WORDS:
                continue
            if len(cells) != 3:
                errors.append(
                    f"line {line}: expected 3 columns (page, date, count), got {len(cells)}"
                )
                continue
            page_ref, day_text, count_text = cells
            problems = []
            if not page_ref:
                problems.append("page is empty (give a page id, path or URL)")
            day = _parse_day(day_text, total_date, today, problems)
            count = _parse_count(count_text, problems)
            if problems:
                errors.append(f"line {line}: {'; '.join(problems)}")
            else:
                rows.append(ParsedRow(line, page_ref, day, count))
    except csv.Error as exc:
        errors.append(f"line {reader.line_num}: unreadable CSV ({exc})")
    if not rows and not errors:
        errors.append("line 1: the file has no rows to import")
    return rows, errors


def _parse_day(text: str, total_date, today, problems: list[str]) -> datetime.date | None:
    if text.lower() == "total":
        return total_date
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        problems.append(f"date {text!r} is not YYYY-MM-DD or 'total'")
        return None
    if day > today:
        problems.append(f"date {text} is in the future")
    return day


def _parse_count(text: str, problems: list[str]) -> int | None:
    try:
        count = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        problems.append(f"count {text!r} is not a whole number")
        return None
    if count < 0:
        problems.append(f"count {count} is negative")
    elif count > MAX_COUNT:
        problems.append(f"count {count} is larger than {MAX_COUNT}")
    return count


def resolve_pages(rows: Iterable[ParsedRow], site: Site | None) -> tuple[dict[int, int], list[str]]:
    """{line: page id} for rows whose page exists, and "line N: …" for those that don't.

    Two queries in all: one for the ids, one for the paths.
    """
    rows = list(rows)
    by_id: dict[int, list[ParsedRow]] = {}
    by_url_path: dict[str, list[ParsedRow]] = {}
    errors: list[str] = []
    root_url_path = site.root_page.url_path if site else None
    for row in rows:
        if row.page_ref.isdigit():
            by_id.setdefault(int(row.page_ref), []).append(row)
        elif root_url_path is None:
            errors.append(f"line {row.line}: no site to look up {row.page_ref!r} in")
        else:
            by_url_path.setdefault(_url_path(root_url_path, row.page_ref), []).append(row)
    found_ids = set(Page.objects.filter(pk__in=by_id).values_list("pk", flat=True))
    found_paths = dict(Page.objects.filter(url_path__in=by_url_path).values_list("url_path", "pk"))
    resolved: dict[int, int] = {}
    for page_id, id_rows in by_id.items():
        for row in id_rows:
            if page_id in found_ids:
                resolved[row.line] = page_id
            else:
                errors.append(f"line {row.line}: no page with id {page_id}")
    for url_path, path_rows in by_url_path.items():
        for row in path_rows:
            if url_path in found_paths:
                resolved[row.line] = found_paths[url_path]
            else:
                errors.append(f"line {row.line}: no page at {row.page_ref!r}")
    return resolved, errors


def refuse_unviewable_pages(rows: Iterable[ParsedRow], resolved: dict[int, int]) -> list[str]:
    """ "line N: …" for rows whose page no reader can have viewed; drops them from `resolved`.

    The tree root is never served, a draft that was never published has no public URL, and a
    private page's views are not counted live either. Two queries in all.
    """
    page_ids = set(resolved.values())
    pages = Page.objects.filter(pk__in=page_ids).only(
        "pk", "depth", "title", "live", "last_published_at"
    )
    reasons = {}
    for page in pages:
        if page.depth == 1:
            reasons[page.pk] = (
                f"page {page.pk} is the tree root, which readers never see; give a page of the site"
            )
        elif not page.live and page.last_published_at is None:
            reasons[page.pk] = (
                f"page {page.pk} ({page.title!r}) has never been published; "
                "publish it first or leave its rows out"
            )
    public_ids = set(
        Page.objects.filter(pk__in=page_ids - reasons.keys()).public().values_list("pk", flat=True)
    )
    for page_id in page_ids - reasons.keys() - public_ids:
        reasons[page_id] = (
            f"page {page_id} is private (a view restriction on it or a section above it); "
            "only public pages take view counts"
        )
    errors = []
    for row in rows:
        page_id = resolved.get(row.line)
        if page_id in reasons:
            errors.append(f"line {row.line}: {reasons[page_id]}")
            del resolved[row.line]
    return errors


def _url_path(root_url_path: str, ref: str) -> str:
    """Wagtail's internal url_path for a public path or URL under the site's root page."""
    path = urlsplit(ref).path if "://" in ref else ref.split("?", 1)[0].split("#", 1)[0]
    path = path.strip("/")
    return f"{root_url_path}{path}/" if path else root_url_path


def _duplicates(rows: list[ParsedRow], resolved: dict[int, int]) -> list[str]:
    seen: dict[tuple[int, datetime.date], int] = {}
    errors = []
    for row in rows:
        if row.line not in resolved:
            continue
        key = (resolved[row.line], row.day)
        if key in seen:
            errors.append(
                f"line {row.line}: same page and date as line {seen[key]} "
                "(give each page one row per date)"
            )
        else:
            seen[key] = row.line
    return errors


def _line_number(error: str) -> int:
    head = error.split(":", 1)[0]
    return int(head[5:]) if head.startswith("line ") and head[5:].isdigit() else 0
