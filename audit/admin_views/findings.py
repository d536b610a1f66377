"""Findings as the report shows them: grouped by check or by page, with fix hints and links.

Kept apart from the views so the run report, the editor panel and the draft check present a
finding the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

from audit.engine import SEVERITY_RANK, check_info
from audit.fix_first import editor_url
from audit.models import Finding, PageResult


@dataclass
class FindingRow:
    """One finding ready for a template (snippets stay plain text: templates escape them)."""

    check_id: str
    severity: str
    message: str
    selector: str
    snippet: str
    impact: int = 0
    title: str = ""
    fix: str = ""
    page_url: str = ""
    page_title: str = ""
    edit_url: str = ""  # the page editor, at the field that fixes it when there is one
    views: int | None = None

    @property
    def field_anchor(self) -> str:
        """The editor's id of the field that fixes it ("" when no field does)."""
        return self.edit_url.partition("#")[2]


def finding_row(finding: Finding, page: PageResult | None = None) -> FindingRow:
    check = check_info(finding.check_id)
    page = page or finding.page_result
    return FindingRow(
        check_id=finding.check_id,
        severity=finding.severity,
        message=finding.message,
        selector=finding.selector,
        snippet=finding.snippet,
        impact=finding.impact,
        title=check.title if check else finding.check_id,
        fix=check.fix if check else "",
        page_url=page.url,
        page_title=page.title,
        # Opens the editor at the field that fixes this finding (fix_first's places).
        edit_url=editor_url(page.page_id, finding.check_id, finding.snippet),
        views=page.views,
    )


def finding_rows(findings: Iterable[Finding]) -> list[FindingRow]:
    """Rows for findings loaded with ``select_related("page_result")``."""
    return [finding_row(f) for f in findings]


def check_choices(findings: QuerySet[Finding]) -> list[tuple[str, str]]:
    """(check id, "title (id)") for the checks that have findings in ``findings``."""
    ids = sorted(set(findings.order_by().values_list("check_id", flat=True).distinct()))
    return [(i, f"{check.title} ({i})" if (check := check_info(i)) else i) for i in ids]


@dataclass
class CheckGroup:
    check_id: str
    severity: str
    title: str
    fix: str
    count: int
    impact: int
    rows: list[FindingRow] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.rows))


def group_by_check(filtered: QuerySet[Finding], *, limit: int) -> list[CheckGroup]:
    """One group per check, most severe then most found first, each with its ``limit``
    highest-impact findings (one query per check: there are a few dozen checks at most)."""
    summary = (
        filtered.order_by()
        .values("check_id", "severity")
        .annotate(n=Count("id"), impact=Sum("impact"))
    )
    groups = []
    for row in summary:
        check = check_info(row["check_id"])
        groups.append(
            CheckGroup(
                check_id=row["check_id"],
                severity=row["severity"],
                title=check.title if check else row["check_id"],
                fix=check.fix if check else "",
                count=row["n"],
                impact=row["impact"] or 0,
            )
        )
    # The order to fix them in: most severe first, then most found.
    groups.sort(key=lambda g: (SEVERITY_RANK.get(g.severity, 9), -g.count, -g.impact, g.check_id))
    if limit:
        for group in groups:
            top = (
                filtered.filter(check_id=group.check_id, severity=group.severity)
                .select_related("page_result")
                .order_by("-impact", "id")[:limit]
            )
            group.rows = finding_rows(top)
    return groups


@dataclass
class PageGroup:
    page: PageResult
    count: int
    impact: int
    edit_url: str
    rows: list[FindingRow]


def group_by_page(filtered: QuerySet[Finding], impact_rows: list[dict]) -> list[PageGroup]:
    """Groups for the pages in ``impact_rows`` (``page_result``, ``n``, ``impact``), in that
    order, each with all its findings in ``filtered``."""
    ids = [row["page_result"] for row in impact_rows]
    pages = PageResult.objects.in_bulk(ids)
    by_page: dict[int, list[FindingRow]] = {pk: [] for pk in ids}
    for finding in filtered.filter(page_result_id__in=ids).order_by("-impact", "id"):
        by_page[finding.page_result_id].append(finding_row(finding, pages[finding.page_result_id]))
    return [
        PageGroup(
            page=pages[row["page_result"]],
            count=row["n"],
            impact=row["impact"] or 0,
            edit_url=editor_url(pages[row["page_result"]].page_id),
            rows=by_page[row["page_result"]],
        )
        for row in impact_rows
    ]
