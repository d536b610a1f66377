"""The public site search: service pages and articles, through Wagtail's search backend
(the database backend by default; on PostgreSQL it uses PostgreSQL's full-text search)."""

from __future__ import annotations

from django.core.paginator import Page as ResultsPage
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET
from wagtail.models import Page

from pages.models import ArticlePage, ServicePage

RESULTS_PER_PAGE = 10
# Longer queries are cut, not refused: a reader pasting a paragraph still gets results, and the
# backend never sees an unbounded query.
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 20


def clean_query(raw: str) -> str:
    """The reader's words, bounded, without control characters (a NUL ends SQLite's parse of
    the full-text query: a 500 before this)."""
    printable = "".join(char if char.isprintable() else " " for char in raw[: MAX_QUERY_CHARS * 4])
    words = " ".join(printable.split())[:MAX_QUERY_CHARS].split()
    return " ".join(words[:MAX_QUERY_WORDS])


def search_results(query: str, page_number: str | None) -> ResultsPage | None:
    """The requested page of live, public results for ``query``; None for an empty query."""
    if not query:
        return None
    pages = Page.objects.live().public().type(ServicePage, ArticlePage).specific()
    return Paginator(pages.search(query), RESULTS_PER_PAGE).get_page(page_number)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q", ""))
    results = search_results(query, request.GET.get("page"))
    return TemplateResponse(request, "pages/search.html", {"query": query, "results": results})
