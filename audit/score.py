"""The audit score, computed the way Lighthouse computes a category score.

Every check the engine has is one weighted item. A check's own score is its pass ratio: the
share of the pages it applies to that have none of its findings (page checks that read the
content apply to pages that answered 2xx; the others, e.g. broken links or slow responses,
to every page fetched). The run's score is the weighted mean of those ratios × 100, with the
severity weights of ``SEO_AUDIT["SEVERITY_WEIGHTS"]`` (error 10, warning 3, notice 1). A check
the run had disabled is left out of the mean (not counted as passed), so switching a failing
check off does not read as a rise in the score trend; the trend marks such runs.

It is rounded *down*, so 100 means "nothing found" and any finding shows: one warning on a
one-page site costs about 2 points, one error about 5. ``docs/score.md`` has the details.

``score_checks`` is the pure arithmetic; ``run_score`` reads a stored run.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.db.models import Count, Q

from audit.conf import audit_setting
from audit.engine import REGISTRY
from audit.models import AuditRun, Finding, PageResult


@dataclass(frozen=True)
class CheckScore:
    check_id: str
    title: str
    weight: int
    applicable: int  # pages the check applies to
    failing: int  # of those, pages with at least one of its findings

    @property
    def pass_ratio(self) -> float:
        return 1 - self.failing / self.applicable


@dataclass(frozen=True)
class Improvement:
    """What fixing one check everywhere would do: "Fixing X on N pages would raise…"."""

    check_id: str
    title: str
    pages: int
    points: float


@dataclass(frozen=True)
class ScoreBreakdown:
    score: int | None  # None when no check applies (no page answered)
    checks: tuple[CheckScore, ...]

    @property
    def total_weight(self) -> int:
        return sum(c.weight for c in self.checks)

    def points_for(self, check_id: str, pages: int) -> float:
        """Points the raw score gains when ``pages`` failing pages of a check pass."""
        check = next((c for c in self.checks if c.check_id == check_id), None)
        if check is None or not self.total_weight:
            return 0.0
        return 100 * check.weight * min(pages, check.failing) / check.applicable / self.total_weight

    def improvements(self, limit: int = 3) -> list[Improvement]:
        """The checks whose fixing would raise the score most, largest gain first."""
        gains = [
            Improvement(c.check_id, c.title, c.failing, self.points_for(c.check_id, c.failing))
            for c in self.checks
            if c.failing
        ]
        gains.sort(key=lambda g: (-g.points, g.check_id))
        return gains[:limit]


def score_checks(
    content_pages: int,
    fetched_pages: int,
    failing_pages: Mapping[str, int],
    weights: Mapping[str, int],
    not_run: Collection[str] = (),
) -> ScoreBreakdown:
    """The score of a run with ``content_pages`` 2xx pages out of ``fetched_pages``, where
    ``failing_pages[check_id]`` pages have findings of that check; the checks in
    ``not_run`` (disabled for the run) are left out, not counted as passed."""
    checks = []
    for check in REGISTRY.values():
        if check.scope == "browser":
            # The browser pass is optional (and may sample): scoring its checks would move
            # the score of a site whose pages did not change when the pass is switched on.
            continue
        if check.id in not_run:
            continue  # a check that did not run found nothing: that is no pass
        applicable = content_pages if check.content_only else fetched_pages
        if applicable <= 0:
            continue
        checks.append(
            CheckScore(
                check_id=check.id,
                title=check.title,
                weight=int(weights.get(check.severity, 1)),
                applicable=applicable,
                failing=min(applicable, failing_pages.get(check.id, 0)),
            )
        )
    total = sum(c.weight for c in checks)
    if not total:
        return ScoreBreakdown(None, tuple(checks))
    raw = 100 * sum(c.weight * c.pass_ratio for c in checks) / total
    # A float error must not turn a perfect 100 into 99: round to 6 places before flooring.
    return ScoreBreakdown(math.floor(round(raw, 6)), tuple(checks))


def run_score(run: AuditRun) -> ScoreBreakdown:
    """The score of a stored run, from its pages and findings (three aggregate queries)."""
    pages = PageResult.objects.filter(run=run).aggregate(
        fetched=Count("id", filter=Q(http_status__isnull=False)),
        content=Count("id", filter=Q(http_status__gte=200, http_status__lt=300)),
    )
    failing = dict(
        Finding.objects.filter(run=run)
        .order_by()
        .values("check_id")
        .annotate(pages=Count("page_result", distinct=True))
        .values_list("check_id", "pages")
    )
    return score_checks(
        pages["content"],
        pages["fetched"],
        failing,
        audit_setting("SEVERITY_WEIGHTS"),
        not_run=checks_not_run(run),
    )


def checks_not_run(run: AuditRun) -> frozenset[str]:
    """The checks a stored run had switched off (its engine settings say which)."""
    return frozenset((run.settings or {}).get("disabled_checks") or ())
