"""The import, end to end: crawl the old site, convert each page, write drafts.

    report = import_site("https://old.example/", ImportOptions(dry_run=True))

Each page is written in its own transaction (page, images, redirect, views), so a failure
leaves nothing half-written and the rest of the import goes on. Internal links to pages
imported later in the run are rewritten to page links in a second pass.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.engine import AuditError, EngineConfig
from importer.convert import ConvertedPage, NotHTML, Skipped, convert_page
from importer.crawl import SiteFetcher
from importer.models import ImportedImage
from importer.report import (
    CREATED,
    DUPLICATE,
    FAILED,
    KEPT,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    ImportReport,
    PageOutcome,
)
from importer.todo import record_duplicate, record_problems
from importer.writer import (
    EditedSinceImport,
    Sections,
    WriteError,
    add_redirect,
    content_hash,
    duplicate_of,
    imported_page_for,
    link_map,
    page_fields,
    save_image,
    set_views,
    write_page,
)

log = logging.getLogger(__name__)

INTO_CHOICES = ("auto", "articles", "services")
MAX_IMAGE_BYTES = 10_000_000


@dataclass
class ImportOptions:
    into: str = "auto"
    limit: int | None = None  # content pages to import at most
    only: list[str] = field(default_factory=list)
    publish: bool = False
    dry_run: bool = False
    max_image_bytes: int = MAX_IMAGE_BYTES
    crawl: EngineConfig = field(default_factory=lambda: EngineConfig(parse_workers=0))


@dataclass
class Timings:
    """Seconds spent per stage, for the benchmark."""

    fetch: float = 0.0
    convert: float = 0.0
    images: float = 0.0
    database: float = 0.0


ProgressFn = Callable[[int, int], None]


class SiteImport:
    def __init__(
        self,
        url: str,
        options: ImportOptions,
        progress: ProgressFn | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> None:
        self.url = url
        self.options = options
        self.progress = progress
        self.should_cancel = should_cancel
        self.report = ImportReport(source_url=url, dry_run=options.dry_run)
        self.timings = Timings()
        self._image_ids: dict[str, int] = dict(
            ImportedImage.objects.values_list("source_url", "image_id")
        )
        self._pages = link_map()
        self._second_pass: list[tuple[ConvertedPage, PageOutcome]] = []

    def run(self) -> ImportReport:
        try:
            sections = Sections.of_default_site()
            fetcher = SiteFetcher(self.url, self.options.crawl, self.should_cancel)
        except (AuditError, WriteError) as exc:
            self.report.errors.append(str(exc))
            return self.report
        try:
            self._crawl(fetcher, sections)
            if not self.options.dry_run:
                self._relink(sections)
                self._record_todos()
        finally:
            fetcher.close()
        self.report.stopped = fetcher.stopped
        return self.report

    # -- crawling ------------------------------------------------------------------------

    def _crawl(self, fetcher: SiteFetcher, sections: Sections) -> None:
        try:
            if self.options.only:
                for url in fetcher.only(self.options.only):
                    self.report.errors.append(
                        f"--only {url} is not a page of {fetcher.start_url}: give full URLs "
                        "on the site being imported"
                    )
            else:
                fetcher.start()
        except AuditError as exc:
            self.report.errors.append(str(exc))
            return
        imported = 0
        done = 0
        for fetched in fetcher.pages():
            self.timings.fetch += fetched.seconds
            done += 1
            if fetched.html is None:
                if fetched.depth == 0 and not self.options.only:
                    self.report.errors.append(f"the old site did not answer: {fetched.error}")
                else:
                    action = SKIPPED if fetched.missing else FAILED
                    self.report.pages.append(
                        PageOutcome(fetched.url, action, message=fetched.error or "")
                    )
                continue
            began = time.perf_counter()
            try:
                converted, links = convert_page(fetched.html, fetched.url, into=self.options.into)
            except NotHTML as exc:
                self.report.pages.append(PageOutcome(fetched.url, FAILED, message=str(exc)))
                continue
            finally:
                self.timings.convert += time.perf_counter() - began
            if not self.options.only:
                fetcher.follow(fetched, links)
            if isinstance(converted, Skipped):
                self.report.pages.append(
                    PageOutcome(
                        converted.url,
                        SKIPPED,
                        message=converted.reason,
                        suggested_redirect=sections.instead_of(converted),
                    )
                )
            else:
                self.report.pages.append(self._import(converted, fetcher, sections))
                imported += 1
            if self.progress is not None:
                self.progress(done, done + len(fetcher.frontier))
            if self.options.limit is not None and imported >= self.options.limit:
                break

    # -- one page ------------------------------------------------------------------------

    def _import(self, page: ConvertedPage, fetcher: SiteFetcher, sections: Sections) -> PageOutcome:
        outcome = PageOutcome(
            page.url,
            "",
            title=page.title,
            kind=page.kind.value,
            problems=list(page.problems),
            images=[i.src for i in page.images],
            views=page.views,
            redirect=urlsplit(page.url).path,
        )
        try:
            parent = sections.parent_for(page.kind)
            began = time.perf_counter()
            duplicate = duplicate_of(page, parent)
            self.timings.database += time.perf_counter() - began
        except WriteError as exc:
            outcome.action, outcome.message = FAILED, str(exc)
            return outcome
        if duplicate is not None:
            outcome.action = DUPLICATE
            outcome.page_id = duplicate.pk
            outcome.message = (
                f"possible duplicate of {duplicate.title!r} (page {duplicate.pk}), which the "
                "importer did not create: left alone; if it is the same page, merge it from "
                "that page's to-do (a redirect from the old URL and its views)"
            )
            return outcome
        if self.options.dry_run:
            return self._plan(page, outcome)
        self._fetch_images(page, fetcher, outcome)
        began = time.perf_counter()
        try:
            with transaction.atomic():
                written = write_page(page, parent, self._image_ids, self._pages)
                path, problem = add_redirect(page.url, written.page, sections.site)
                if page.views is not None:
                    set_views(written.page, page.views)
                published = self._publish(written.page, page, outcome)
        except EditedSinceImport as exc:
            outcome.action, outcome.message = KEPT, str(exc)
            return outcome
        except Exception as exc:  # one page's failure must not end the import
            log.exception("importing %s failed", page.url)
            outcome.action, outcome.message = FAILED, f"not imported: {exc}"
            return outcome
        finally:
            self.timings.database += time.perf_counter() - began
        self._pages[page.url] = written.page.pk
        outcome.action, outcome.page_id, outcome.published = (
            written.action,
            written.page.pk,
            published,
        )
        outcome.redirect = path
        if problem:
            outcome.problems.append(problem)
        if written.unresolved_links:
            self._second_pass.append((page, outcome))
        return outcome

    def _plan(self, page: ConvertedPage, outcome: PageOutcome) -> PageOutcome:
        new_images = [i.src for i in page.images if i.src not in self._image_ids]
        self.report.images_to_download += [
            u for u in new_images if u not in self.report.images_to_download
        ]
        imported = imported_page_for(page.url)
        outcome.page_id = imported.page_id if imported else None
        if imported is None:
            outcome.action = CREATED
        else:
            fields, _ = page_fields(page, self._image_ids, self._pages)
            same = not new_images and content_hash(fields, page.kind) == imported.content_hash
            edited = imported.page.latest_revision_id != imported.revision_id
            outcome.action = "unchanged" if same else KEPT if edited else UPDATED
            if outcome.action == KEPT:
                outcome.message = "edited in the CMS since it was imported: it will be left alone"
        return outcome

    def _fetch_images(
        self, page: ConvertedPage, fetcher: SiteFetcher, outcome: PageOutcome
    ) -> None:
        for number, ref in enumerate(page.images, 1):
            if ref.src in self._image_ids:
                continue
            fetched = fetcher.fetch_image(ref.src, self.options.max_image_bytes)
            self.timings.images += fetched.seconds
            if fetched.data is None:
                outcome.problems.append(f"{fetched.error}; the image was left out: add it by hand")
                continue
            began = time.perf_counter()
            title = ref.alt or ref.caption or f"{page.title} (image {number})"
            try:
                with transaction.atomic():
                    image_id, created = save_image(fetched.data, ref.src, title)
            except WriteError as exc:
                outcome.problems.append(f"{exc}; the image was left out")
                continue
            except Exception as exc:  # a bad file is its page's problem, never the import's
                log.exception("image %s of %s failed", ref.src, page.url)
                outcome.problems.append(
                    f"image {ref.src} could not be imported ({type(exc).__name__}: {exc}); "
                    "the image was left out: add it by hand"
                )
                continue
            finally:
                self.timings.images += time.perf_counter() - began
            self._image_ids[ref.src] = image_id
            if created:
                self.report.images_imported += 1
            else:
                self.report.images_reused += 1

    def _publish(self, page, converted: ConvertedPage, outcome: PageOutcome) -> bool:
        if not self.options.publish:
            return False
        if any(i.alt == "" for i in converted.images if i.src in self._image_ids):
            outcome.problems.append(
                "not published: an image has no alt text; write it (or mark the image "
                "decorative) and publish from the editor"
            )
            return False
        page = page.specific
        if page.live and not page.has_unpublished_changes:
            return True
        try:
            with transaction.atomic():  # a savepoint: a refused publish keeps the draft
                page.get_latest_revision().publish()
        except ValidationError as exc:
            reasons = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            outcome.problems.append(f"not published ({reasons}): fix it in the editor")
            return False
        return True

    def _record_todos(self) -> None:
        """Each page's to-do on the page itself, where its editors see it."""
        for outcome in self.report.pages:
            if outcome.page_id is None:
                continue
            try:
                with transaction.atomic():
                    if outcome.action in (CREATED, UPDATED, UNCHANGED):
                        record_problems(outcome.page_id, outcome.url, outcome.problems)
                    elif outcome.action == DUPLICATE:
                        views = f" ({outcome.views} views there)" if outcome.views else ""
                        text = (
                            f"possible duplicate: the old page {outcome.url}{views}, titled "
                            f"{outcome.title!r}, may be this page; no draft was made for it"
                        )
                        record_duplicate(outcome.page_id, outcome.url, text, outcome.views)
            except Exception:  # the report still lists it: the import must not end here
                log.exception("the to-do of %s could not be written", outcome.url)

    def _relink(self, sections: Sections) -> None:
        """Links to pages imported after the page that links to them, now that all exist."""
        for page, outcome in self._second_pass:
            if outcome.action == FAILED:
                continue
            try:
                with transaction.atomic():
                    parent = sections.parent_for(page.kind)
                    written = write_page(page, parent, self._image_ids, self._pages)
                    if written.action != "unchanged" and outcome.published:
                        written.page.get_latest_revision().publish()
            except WriteError as exc:
                outcome.problems.append(f"its links were not updated: {exc}")
                continue
            for link in dict.fromkeys(written.unresolved_links):
                outcome.problems.append(
                    f"links to {link}, which was not imported: point it at a page here"
                )


def import_site(
    url: str,
    options: ImportOptions | None = None,
    *,
    progress: ProgressFn | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> ImportReport:
    return SiteImport(url, options or ImportOptions(), progress, should_cancel).run()
