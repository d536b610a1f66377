"""<title>: present, single, and of a length search results show in full."""

from __future__ import annotations

from html import escape

from ..config import EngineConfig
from ..facts import PageFacts
from ..results import Finding
from .registry import finding, page_check


def _snippet(title: str) -> str:
    return f"<title>{escape(title[:150])}</title>"


@page_check(
    "title-missing",
    "error",
    "Page has no title",
    "Add a unique <title> of 30-60 characters that names the page's topic.",
    axe_rule="document-title",
)
def title_missing(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    if page.titles:
        return []  # an empty one is title-empty: the fix is in the template, not a new tag
    return [finding("title-missing", "The page has no <title>.", "title")]


@page_check(
    "title-empty",
    "error",
    "Page title is empty",
    "The template outputs <title></title>: fill the page's title field (or the template's "
    "fallback) so the tag gets text.",
    axe_rule="document-title",
)
def title_empty(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    if not page.titles or any(t.strip() for t in page.titles):
        return []
    return [finding("title-empty", "The page's <title> is empty.", "title", _snippet(""))]


# Characters that join a title's parts ("Blog | Clinic"); one at either end means a part
# the template meant to fill is empty ("Blog: ", "| Clinic").
SEPARATORS = ":|-\u2013\u2014"  # colon, bar, hyphen, en dash, em dash


@page_check(
    "title-dangling-separator",
    "warning",
    "Title starts or ends with a separator",
    'A part of the title is empty ("Blog: "): fill the missing part or drop the separator.',
    indexable_only=True,
)
def title_dangling_separator(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    title = (page.title or "").strip()
    if not title or (title[0] not in SEPARATORS and title[-1] not in SEPARATORS):
        return []
    end = "ends" if title[-1] in SEPARATORS else "starts"
    return [
        finding(
            "title-dangling-separator",
            f"The title {end} with a separator: {title!r}.",
            "title",
            _snippet(title),
        )
    ]


# Titles a CMS or a template gives a page nobody named (compared without case or spaces).
PLACEHOLDER_TITLES = frozenset(
    {
        "untitled",
        "untitled page",
        "untitled document",
        "new page",
        "page title",
        "title",
        "home page title",
        "document",
        "my site",
        "my website",
        "lorem ipsum",
        "todo",
        "tbd",
        "test page",
    }
)


@page_check(
    "title-placeholder",
    "warning",
    "Title is a placeholder",
    "Replace the placeholder with the page's topic and the site's name.",
    indexable_only=True,
)
def title_placeholder(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    title = page.title or ""
    words = " ".join(title.casefold().replace("_", " ").split()).strip(SEPARATORS + " ")
    if words not in PLACEHOLDER_TITLES:
        return []
    return [
        finding(
            "title-placeholder",
            f"The title {title.strip()!r} is a placeholder, not the page's name.",
            "title",
            _snippet(title),
        )
    ]


@page_check(
    "title-multiple",
    "warning",
    "Page has more than one title",
    "Keep one <title> in <head>; remove the others (often added by a template and a plugin).",
)
def title_multiple(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    if len(page.titles) > 1:
        shown = "; ".join(repr(t) for t in page.titles[:3])
        return [
            finding(
                "title-multiple",
                f"The page has {len(page.titles)} <title> elements: {shown}.",
                "title",
                _snippet(page.titles[1]),
            )
        ]
    return []


@page_check(
    "title-too-long",
    "warning",
    "Title is too long",
    "Shorten the title so search results show it whole; put the key words first.",
    indexable_only=True,
)
def title_too_long(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    limit = cfg.thresholds.title_max
    title = page.title
    if title is not None and len(title) > limit:
        return [
            finding(
                "title-too-long",
                f"The title is {len(title)} characters; keep it to {limit} or fewer.",
                "title",
                _snippet(title),
            )
        ]
    return []


@page_check(
    "title-too-short",
    "notice",
    "Title is too short",
    "Make the title more descriptive: name the page's topic and the site or organisation.",
    indexable_only=True,
)
def title_too_short(page: PageFacts, cfg: EngineConfig) -> list[Finding]:
    limit = cfg.thresholds.title_min
    title = page.title
    if title is not None and 0 < len(title.strip()) < limit:
        return [
            finding(
                "title-too-short",
                f"The title is {len(title)} characters; aim for at least {limit}."
                + _name_hint(title, cfg.profile_for(page.final_url or page.url).site_name),
                "title",
                _snippet(title),
            )
        ]
    return []


def _name_hint(title: str, site_name: str) -> str:
    """A nudge to add the site's name when the profile knows it and the title lacks it."""
    if not site_name or site_name.casefold() in title.casefold():
        return ""
    return f" Adding the site's name ({site_name}) helps."
