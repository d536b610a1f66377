"""What kind of page this is: article, service or neither (from JSON-LD, body class, og:type)."""

from __future__ import annotations

from ..facts import PageFacts
from .document import Document

_ARTICLE_TYPES = frozenset(
    {"Article", "BlogPosting", "NewsArticle", "MedicalWebPage", "MedicalScholarlyArticle"}
)
_SERVICE_TYPES = frozenset({"Service", "MedicalProcedure", "MedicalTherapy"})


def extract_page_type(doc: Document, facts: PageFacts) -> None:
    body = doc.root.find("body")
    body_classes = set((body.get("class") or "").split()) if body is not None else set()
    types = doc.jsonld_types
    if types & _ARTICLE_TYPES or "article-page" in body_classes:
        facts.page_type = "article"
    elif types & _SERVICE_TYPES or "service-page" in body_classes:
        facts.page_type = "service"
    elif doc.og_type == "article":
        facts.page_type = "article"
