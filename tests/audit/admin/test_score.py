"""The Lighthouse-style score: weighted pass ratios of the checks, that moves with any finding."""

from __future__ import annotations

from audit.score import run_score, score_checks
from tests.audit.admin.conftest import client_for, page_report, store_run

WEIGHTS = {"error": 10, "warning": 3, "notice": 1}


def test_a_clean_site_scores_100_and_any_finding_costs_points():
    assert score_checks(1, 1, {}, WEIGHTS).score == 100
    one_warning = score_checks(1, 1, {"h1-missing": 1}, WEIGHTS).score
    several = score_checks(
        1,
        1,
        {"h1-missing": 1, "canonical-missing": 1, "heading-order": 1, "title-too-short": 1},
        WEIGHTS,
    ).score
    # The old mean-of-page-penalties gave 100 and 99: both read as "all fine".
    assert one_warning < 100
    assert several <= one_warning - 3


def test_pass_ratio_counts_pages_not_findings():
    # Three findings of one check on one page of four cost as much as one finding there.
    breakdown = score_checks(4, 4, {"img-alt-missing": 1}, WEIGHTS)
    worse = score_checks(4, 4, {"img-alt-missing": 3}, WEIGHTS)
    assert worse.score < breakdown.score
    [gain] = breakdown.improvements()
    assert gain.check_id == "img-alt-missing" and gain.pages == 1
    assert 0 < gain.points <= 100 - breakdown.score + 1


def test_no_page_answered_means_no_score():
    assert score_checks(0, 0, {}, WEIGHTS).score is None


def test_stored_run_score_and_what_would_raise_it(people, demo_site):
    url = demo_site.get_full_url()
    run = store_run(
        url,
        [
            page_report(url, [("h1-missing", "warning", "", "")]),
            page_report(url + "a/", [("h1-missing", "warning", "", "")]),
            page_report(url + "b/", []),
        ],
    )
    assert run.score == run_score(run).score < 100
    html = client_for(people["viewer"]).get(f"/admin/seo-audits/{run.pk}/").content.decode()
    assert 'data-improvement="h1-missing"' in html
    assert "on 2 pages would raise the score by" in html
