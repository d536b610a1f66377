"""What kind of page this is: article, service, listing or neither (from JSON-LD types, body
classes and og:type). A generic web page type (WebPage, MedicalWebPage) says nothing."""

from __future__ import annotations

from ..facts import PageFacts
from .document import Document

_ARTICLE_TYPES = frozenset(
    {"Article", "BlogPosting", "NewsArticle", "MedicalScholarlyArticle", "TechArticle", "Report"}
)
_SERVICE_TYPES = frozenset({"Service", "MedicalProcedure", "MedicalTherapy"})
_LISTING_TYPES = frozenset({"CollectionPage", "Blog", "SearchResultsPage"})
# Body classes of post indexes and archives (WordPress: "blog", "archive"; ours: *-index-page)
_LISTING_CLASSES = frozenset({"blog", "archive", "listing", "search-results"})


def _listing_class(classes: set[str]) -> bool:
    return bool(classes & _LISTING_CLASSES) or any(c.endswith("index-page") for c in classes)


def extract_page_type(doc: Document, facts: PageFacts) -> None:
    body = doc.body
    body_classes = set((body.get("class") or "").split()) if body is not None else set()
    types = doc.jsonld_types
    if types & _LISTING_TYPES or _listing_class(body_classes):
        facts.page_type = "listing"
    elif types & _ARTICLE_TYPES or "article-page" in body_classes:
        facts.page_type = "article"
    elif types & _SERVICE_TYPES or "service-page" in body_classes:
        facts.page_type = "service"
    elif doc.og_type == "article":
        facts.page_type = "article"
