"""The run's report: each page's outcome and the editors' to-do list. Plain data (JSON-ready),
shown in the terminal and kept with an admin run."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

# What happened to an old page; "would-…" are the dry run's plan.
CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"
SKIPPED, DUPLICATE = "skipped", "duplicate"
KEPT = "kept"  # imported before, then edited in the CMS: a re-import leaves it alone
PLAN = {CREATED: "would create", UPDATED: "would update", UNCHANGED: "unchanged"}


@dataclass
class PageOutcome:
    url: str
    action: str
    title: str = ""
    kind: str = ""
    page_id: int | None = None
    published: bool = False
    problems: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)  # original URLs
    views: int | None = None
    redirect: str = ""  # old path redirected to the page (live while the page is)
    suggested_redirect: str = ""  # a skipped page's: where its old readers could go
    message: str = ""  # why it failed, was skipped or is a duplicate


@dataclass
class ImportReport:
    source_url: str
    dry_run: bool = False
    pages: list[PageOutcome] = field(default_factory=list)
    images_imported: int = 0  # new images in the library
    images_reused: int = 0  # already there (same URL or same content)
    images_to_download: list[str] = field(default_factory=list)  # dry run only
    errors: list[str] = field(default_factory=list)  # the run's own (site unreachable…)
    stopped: str | None = None

    def counts(self) -> dict[str, int]:
        return dict(Counter(p.action for p in self.pages))

    def todo(self) -> list[PageOutcome]:
        """Pages editors must look at: problems found, or the page was left alone or failed."""
        return [p for p in self.pages if p.problems or p.action in (FAILED, DUPLICATE, KEPT)]

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        pages = [PageOutcome(**p) for p in data.get("pages", [])]
        return cls(**{**data, "pages": pages})

    def skipped(self) -> list[PageOutcome]:
        return [p for p in self.pages if p.action == SKIPPED]

    def text(self) -> str:
        """The terminal report."""
        counts = self.counts()
        lines = [
            f"{'Plan for' if self.dry_run else 'Import of'} {self.source_url}",
            *(f"error: {e}" for e in self.errors),
        ]
        if self.stopped:
            lines.append(f"stopped early: {self.stopped}")
        for page in self.pages:
            action = PLAN.get(page.action, page.action) if self.dry_run else page.action
            where = f" -> page {page.page_id}" if page.page_id else ""
            lines.append(f"  {action:<13} {page.kind or '-':<8} {page.url}{where}")
            if page.message:
                lines.append(f"      {page.message}")
            if page.suggested_redirect:
                lines.append(
                    f"      suggested redirect: {urlsplit(page.url).path or '/'} -> "
                    f"{page.suggested_redirect} (add it under Settings → Redirects)"
                )
            if self.dry_run and page.action in (CREATED, UPDATED):
                if page.redirect:
                    lines.append(
                        f"      redirect {page.redirect} -> the new page, once it is published"
                    )
                if page.views is not None:
                    lines.append(f"      {page.views} views to import")
        if self.dry_run:
            lines.append(f"images to download: {len(self.images_to_download)}")
            lines += [f"  {url}" for url in self.images_to_download]
        skipped = self.skipped()
        summary = ", ".join(
            f"{counts.get(a, 0)} {a}"
            for a in (CREATED, UPDATED, UNCHANGED, FAILED, DUPLICATE, KEPT)
        )
        lines.append(f"pages: {summary}, {len(skipped)} not content pages")
        if not self.dry_run:
            lines.append(
                f"images: {self.images_imported} imported, {self.images_reused} already there"
            )
        todo = self.todo()
        lines.append(f"to-do for editors: {len(todo)} page(s)" if todo else "to-do: nothing")
        for page in todo:
            lines.append(f"  {page.title or page.url} ({page.url})")
            if page.action in (FAILED, DUPLICATE, KEPT):
                lines.append(f"    - {page.message}")
            lines += [f"    - {problem}" for problem in page.problems]
        return "\n".join(lines)
