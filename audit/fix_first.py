""" "Fix these first": the few fixes that matter most in a stored run, in plain words.

One list for the admin run page, the report e-mail and the HTML export. A fix is one check
on one page, ranked by impact (severity weight × (the page's views + 1), summed over its
findings). For pages of this CMS each fix says where in the page editor to make it ("Promote
tab → Title tag") and links to the editor with the field's id as the fragment: Wagtail's tabs
open the tab that holds the element named by the fragment, and ``editor-panel.js`` then
scrolls the field into view and focuses it.

An audit of the static front end (``AuditRun.frontend``) lists its template findings once each
(``template_groups``: the same problem on every page, or on pages with no CMS page) instead
of once per page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.urls import reverse

from audit.engine import SEVERITY_RANK, check_info
from audit.models import AuditRun, Finding, PageResult
from audit.score import ScoreBreakdown, run_score

FIX_FIRST_LIMIT = 5


@dataclass(frozen=True)
class EditorPlace:
    """Where a field is in the page editor: its tab, its label, and the element id to open."""

    tab: str
    field: str
    anchor: str

    @property
    def words(self) -> str:
        return f"{self.tab} tab → {self.field}"


SEO_TITLE = EditorPlace("Promote", "Title tag", "id_seo_title")
DESCRIPTION = EditorPlace("Promote", "Meta description", "id_search_description")
CANONICAL = EditorPlace("Promote", "Canonical URL", "id_canonical_url")
PAGE_TITLE = EditorPlace("Content", "Title", "id_title")
HERO_IMAGE_ALT = EditorPlace("Content", "Hero image alt text", "id_hero_image_alt")
BODY = EditorPlace("Content", "Body", "panel-child-content-body-section")
BODY_IMAGES = EditorPlace("Content", "Body: the image block's alt text", BODY.anchor)
BODY_HEADINGS = EditorPlace("Content", "Body: the heading blocks", BODY.anchor)
BODY_LINKS = EditorPlace("Content", "Body: the links in the text", BODY.anchor)

# Check id prefix → the field of our page types that fixes it (longest prefix wins). Checks
# not listed (server status, speed, robots, language, view counts) are not fixed in a page.
EDITOR_PLACES: dict[str, EditorPlace] = {
    "title-": SEO_TITLE,
    "meta-description-": DESCRIPTION,
    "canonical-": CANONICAL,
    "h1-missing": PAGE_TITLE,
    "h1-multiple": BODY_HEADINGS,
    "heading-": BODY_HEADINGS,
    "img-alt-": BODY_IMAGES,
    "link-text-": BODY_LINKS,
    "link-empty": BODY_LINKS,
    "link-uncrawlable": BODY_LINKS,
    "link-broken": BODY_LINKS,
    "link-to-redirect": BODY_LINKS,
    "thin-content": BODY,
    # the browser pass's axe-core rules about what editors write
    "axe/image-alt": BODY_IMAGES,
    "axe/empty-heading": BODY_HEADINGS,
    "axe/heading-order": BODY_HEADINGS,
    "axe/p-as-heading": BODY_HEADINGS,
    "axe/page-has-heading-one": PAGE_TITLE,
    "axe/link-name": BODY_LINKS,
}


# The class pages/includes/hero_image.html gives the hero image: its alt text is a field of
# the page, not a body block.
HERO_IMAGE_CLASS = "hero-image"


def editor_place(check_id: str, snippet: str = "") -> EditorPlace | None:
    """The editor field that fixes ``check_id`` on one of our pages, or None; ``snippet``
    (the finding's element) tells the hero image from the body's images."""
    matches = [prefix for prefix in EDITOR_PLACES if check_id.startswith(prefix)]
    place = EDITOR_PLACES[max(matches, key=len)] if matches else None
    if place is BODY_IMAGES and _is_hero_image(snippet):
        return HERO_IMAGE_ALT
    return place


def _is_hero_image(snippet: str) -> bool:
    match = re.search(r"<img\b[^>]*\bclass=\"([^\"]*)\"", snippet)
    return bool(match) and HERO_IMAGE_CLASS in match.group(1).split()


def editor_url(page_id: int | None, check_id: str = "", snippet: str = "") -> str:
    """The page editor's address for a finding of ``check_id`` on page ``page_id``, with the
    id of the field that fixes it as the fragment; "" for pages outside the CMS."""
    if not page_id:
        return ""
    url = reverse("wagtailadmin_pages:edit", args=[page_id])
    place = editor_place(check_id, snippet) if check_id else None
    return f"{url}#{place.anchor}" if place else url


@dataclass(frozen=True)
class Fix:
    severity: str
    check_id: str
    check_title: str
    advice: str  # the check's fix hint
    message: str  # the first finding's message, e.g. "Title is 72 characters"
    selector: str
    snippet: str
    page_url: str
    page_title: str
    views: int | None
    count: int  # findings of this check on this page
    impact: int
    where: str  # "Promote tab → Title tag", or "" when it is not fixed in the page editor
    edit_url: str  # admin path with the field's fragment, or "" for pages outside the CMS
    points: float  # score points gained by fixing it


def fix_first(
    run: AuditRun, *, limit: int = FIX_FIRST_LIMIT, breakdown: ScoreBreakdown | None = None
) -> list[Fix]:
    """The ``limit`` most important fixes of ``run``, highest impact first."""
    breakdown = breakdown or run_score(run)
    ranked = list(
        Finding.objects.filter(run=run, template=False)
        .order_by()
        .values("page_result", "check_id")
        .annotate(n=Count("id"), impact=Sum("impact"))
        .order_by("-impact", "check_id", "page_result")[:limit]
    )
    pages = PageResult.objects.in_bulk([row["page_result"] for row in ranked])
    fixes = []
    for row in ranked:
        page = pages[row["page_result"]]
        first = (
            Finding.objects.filter(page_result=page, check_id=row["check_id"], template=False)
            .order_by("-impact", "id")
            .first()
        )
        check = check_info(row["check_id"])
        place = editor_place(row["check_id"], first.snippet) if page.page_id else None
        edit_url = editor_url(page.page_id, row["check_id"], first.snippet)
        fixes.append(
            Fix(
                severity=first.severity,
                check_id=row["check_id"],
                check_title=check.title if check else row["check_id"],
                advice=check.fix if check else "",
                message=first.message,
                selector=first.selector,
                snippet=first.snippet,
                page_url=page.url,
                page_title=page.title or page.url,
                views=page.views,
                count=row["n"],
                impact=row["impact"] or 0,
                where=place.words if place else "",
                edit_url=edit_url,
                points=breakdown.points_for(row["check_id"], 1),
            )
        )
    if run.frontend:
        fixes = sorted(
            [*fixes, *(group.as_fix(breakdown) for group in template_groups(run))],
            key=lambda fix: -fix.impact,
        )[:limit]
    return fixes


TEMPLATE_WHERE = "the front end's templates (frontend/src, frontend/lib/render.js)"


@dataclass(frozen=True)
class TemplateGroup:
    """One front-end template finding: the same check, element and message on many pages."""

    severity: str
    check_id: str
    check_title: str
    advice: str
    message: str
    selector: str
    snippet: str
    pages: int
    impact: int
    example_url: str

    @property
    def page_title(self) -> str:
        return f"Front-end template (on {self.pages} page{'s' if self.pages != 1 else ''})"

    def as_fix(self, breakdown: ScoreBreakdown) -> Fix:
        return Fix(
            severity=self.severity,
            check_id=self.check_id,
            check_title=self.check_title,
            advice=self.advice,
            message=self.message,
            selector=self.selector,
            snippet=self.snippet,
            page_url=self.example_url,
            page_title=self.page_title,
            views=None,
            count=self.pages,
            impact=self.impact,
            where=TEMPLATE_WHERE,
            edit_url="",
            points=breakdown.points_for(self.check_id, 1),
        )


def template_groups(run: AuditRun) -> list[TemplateGroup]:
    """The run's front-end template findings (``Finding.template``), one group per check,
    element and message, most severe and widest first."""
    rows = (
        Finding.objects.filter(run=run, template=True)
        .order_by()
        .values("check_id", "severity", "selector", "message")
        .annotate(n=Count("page_result", distinct=True), impact=Sum("impact"))
    )
    groups = []
    for row in rows:
        first = (
            Finding.objects.filter(
                run=run,
                template=True,
                check_id=row["check_id"],
                selector=row["selector"],
                message=row["message"],
            )
            .select_related("page_result")
            .order_by("id")
            .first()
        )
        check = check_info(row["check_id"])
        groups.append(
            TemplateGroup(
                severity=row["severity"],
                check_id=row["check_id"],
                check_title=check.title if check else row["check_id"],
                advice=check.fix if check else "",
                message=row["message"],
                selector=row["selector"],
                snippet=first.snippet if first else "",
                pages=row["n"],
                impact=row["impact"] or 0,
                example_url=first.page_result.url if first else "",
            )
        )
    groups.sort(key=lambda g: (SEVERITY_RANK.get(g.severity, 9), -g.pages, g.check_id))
    return groups
