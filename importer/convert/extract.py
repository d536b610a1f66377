"""One fetched page -> ConvertedPage or Skipped: find the content, drop the chrome.

Wix's server-rendered posts are read through their ``data-hook`` markers (post-title,
time-ago, post-description, figure-IMAGE, post-footer); any other page through its landmarks
(<article>, <main>, role=main) or, failing those, the element holding most of the page's
paragraph text. What the old page showed about itself (author, date, view count) is read
generically, as search engines read it: structured data (JSON-LD, microdata), ``<time>``,
``rel=author``, meta tags, then the visible byline, date and "N views" lines, which are
then left out of the body.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag

from audit.engine import resolve_url

from .blocks import BodyConverter, is_chrome
from .model import ConvertedPage, Kind, Skipped
from .soup import attr, elements, parse, squash, text_of

MIN_WORDS = 40  # less than this in the content element is not a page worth importing
# "1,204 views", "1.2k views", "2 345 vues", "1.234 Aufrufe": the number, then the word.
_VIEW_WORDS = (
    r"views?|vistas?|visualizaciones|visualizações|visualizzazioni|visite|vues|aufrufe|"
    r"weergaven|visningar|visninger|näyttökertaa|wyświetle[ńn]"
)
_VIEWS = re.compile(
    rf"(?<![\w.,])(\d{{1,3}}(?:[,.\s\u00a0\u202f]\d{{3}})+|\d+(?:[.,]\d+)?)\s*([km])?\s*"
    rf"(?:{_VIEW_WORDS})(?!\w)",
    re.I,
)
_BYLINE = re.compile(
    r"^(?:by|written by|posted by|author:|par|von|por|door|di|av|af)\s+"
    r"(?P<name>[^\d|·•,;:]{2,80}?)\s*(?:[|·•,;–—-]\s*(?P<rest>.*))?$",
    re.I,
)
_READ_TIME = re.compile(r"^\d+\s*(min|minute|minutes|mins?)(\s+read)?$", re.I)
_ARTICLE_PATHS = re.compile(r"^/(post|posts|blog|articles?|news)/[^/]+", re.I)
_TITLE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]+$")
_DATE_FORMATS = (
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%B %d %Y",
)
_DATE_LEAD = re.compile(r"^(?:posted|published|updated|on|date:)\s+(?:on\s+)?", re.I)
_ORDINAL = re.compile(r"(\d)(st|nd|rd|th)\b", re.I)
_SLUG_JUNK = re.compile(r"[^\w-]+")
_ARTICLE_TYPES = {"Article", "BlogPosting", "NewsArticle", "WebPage", "MedicalWebPage"}
_NAME_PARTICLES = {"de", "da", "del", "van", "von", "der", "la", "le", "di", "du", "dos", "bin"}
_SMALL = ("p", "span", "div", "li", "small", "footer", "address", "a")


class NotHTML(ValueError):
    """The body could not be parsed as an HTML document at all."""


def convert_page(
    html: str, url: str, *, into: str = "auto"
) -> tuple[ConvertedPage | Skipped, list[str]]:
    """(the page or why it was skipped, every link on the page for the crawl)."""
    if not html.strip():
        raise NotHTML(f"{url}: the page is not readable HTML (the body is empty)")
    doc = parse(html)
    links = _links(doc, url)
    path = urlsplit(url).path
    wix_body = _hook(doc, "post-description")
    if wix_body is not None:
        root, extractor = wix_body, "wix"
    else:
        if path in ("", "/"):
            return Skipped(url, "the old site's home page (this CMS has its own)", "home"), links
        if _is_listing(doc):
            return Skipped(url, "a listing of other pages", "listing"), links
        root, extractor = _main_content(doc), "generic"
    if root is None:
        return Skipped(url, "no recognisable content"), links
    title = _title(doc, root)
    about = PageMeta.read(doc, root, title)
    skip = {id(el) for el in about.elements}
    # The heading that repeats the title: the page's own h1 in the CMS.
    repeat = next((h1 for h1 in root.find_all("h1") if text_of(h1) == title), None)
    if repeat is not None:
        skip.add(id(repeat))
    converter = BodyConverter(url, skip=skip)
    converter.convert(root)
    words = sum(len(squash(b.html or b.text).split()) for b in converter.blocks)
    if not title or words < MIN_WORDS:
        return Skipped(url, f"no recognisable content ({words} words)"), links
    kind = _kind(doc, path, into, extractor)
    page = ConvertedPage(
        url=url,
        title=title[:255],
        kind=kind,
        slug=slug_for(url),
        blocks=converter.blocks,
        date=about.date,
        author=about.author[:120],
        seo_title=_seo_title(doc, title),
        description=_meta(doc, "description")[:300],
        views=about.views,
        problems=converter.problems,
        extractor=extractor,
    )
    page.introduction = page.description or _first_sentences(converter.blocks)
    if page.kind is Kind.ARTICLE and page.date is None:
        page.problems.append("no publication date was found: set the article date")
    if page.kind is Kind.ARTICLE and not page.author:
        page.problems.append("no author was found: set the article's author")
    return page, links


# -- what the page says about itself ---------------------------------------------------------


class PageMeta:
    """Author, date and view count, each from the first source that has it, and the
    visible elements they came from (the converter leaves those out of the body)."""

    def __init__(self) -> None:
        self.author = ""
        self.date: datetime.date | None = None
        self.views: int | None = None
        self.elements: list[Tag] = []

    @classmethod
    def read(cls, doc: BeautifulSoup, root: Tag, title: str) -> PageMeta:
        meta = cls()
        data = _structured_data(doc)
        meta.author = _ld_author(data) or _meta(doc, "author")
        meta.date = parse_date(_ld_value(data, "datePublished")) or parse_date(
            _meta(doc, "article:published_time")
        )
        meta.views = _ld_views(data)
        for el in _marked(doc, "user-name", "author", '[rel~="author"]'):
            meta._take_author(el, text_of(el))
        for el in _marked(doc, "time-ago", "datePublished", "time"):
            found = parse_date(attr(el, "datetime") or attr(el, "title") or attr(el, "content"))
            meta._take_date(el, found or parse_date(text_of(el)))
        for el in root.find_all(_SMALL):
            if _inside_other_content(el, root):
                continue
            meta._read_line(el, title)
        if meta.views is None:
            meta.views = _footer_views(doc, root)
        return meta

    def _read_line(self, el: Tag, title: str) -> None:
        if any(child.name in ("p", "div", "li", "ul", "ol", "h2", "h3") for child in elements(el)):
            return  # a container; its lines are read one by one
        text = text_of(el)
        if not text or len(text) > 160 or text == title:
            return
        byline = _BYLINE.match(text)
        if byline and _looks_like_a_name(byline["name"]):
            self._take_author(el, squash(byline["name"]))
            self._take_date(el, parse_date(byline["rest"] or ""))
            return
        if _READ_TIME.match(text):
            self.elements.append(el)
            return
        date = parse_date(text)
        if date is not None:
            self._take_date(el, date)
            return
        match = _VIEWS.fullmatch(text)
        if match:
            self.elements.append(el)
            if self.views is None:
                self.views = _view_number(match)

    def _take_author(self, el: Tag, name: str) -> None:
        if name:
            self.elements.append(el)
            self.author = self.author or name

    def _take_date(self, el: Tag, date: datetime.date | None) -> None:
        self.elements.append(el)
        self.date = self.date or date


def _looks_like_a_name(text: str) -> bool:
    """ "Dana Ortiz", "Dr. Lee Park", "María de la Cruz"; not "appointment only"."""
    words = squash(text).split()
    if not 1 <= len(words) <= 6:
        return False
    return words[0][0].isupper() and all(w[0].isupper() or w in _NAME_PARTICLES for w in words)


def _structured_data(doc: BeautifulSoup) -> list[dict]:
    """The page's JSON-LD objects that describe it (an article or a web page)."""
    found: list[dict] = []
    for script in doc.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if not isinstance(item, dict):
                continue
            stack.extend(item.get("@graph") or [])
            kinds = item.get("@type")
            kinds = set(kinds) if isinstance(kinds, list) else {kinds}
            if kinds & _ARTICLE_TYPES:
                found.append(item)
    return found


def _ld_value(data: list[dict], key: str) -> str:
    for item in data:
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _ld_author(data: list[dict]) -> str:
    for item in data:
        author = item.get("author")
        for person in author if isinstance(author, list) else [author]:
            name = person.get("name") if isinstance(person, dict) else person
            if isinstance(name, str) and squash(name):
                return squash(name)
    return ""


def _ld_views(data: list[dict]) -> int | None:
    for item in data:
        stats = item.get("interactionStatistic")
        for stat in stats if isinstance(stats, list) else [stats]:
            if not isinstance(stat, dict):
                continue
            action = stat.get("interactionType")
            action = action.get("@type", "") if isinstance(action, dict) else str(action or "")
            count = stat.get("userInteractionCount")
            if action.endswith(("ViewAction", "WatchAction", "ReadAction")):
                try:
                    return int(count)
                except (TypeError, ValueError):
                    continue
    return None


def _marked(doc: BeautifulSoup, hook: str, itemprop: str, selector: str) -> Iterator[Tag]:
    """Elements marked as one piece of metadata: the builder's hook, microdata, or HTML."""
    yield from doc.select(f'[data-hook="{hook}"], [itemprop="{itemprop}"], {selector}')


def _footer_views(doc: BeautifulSoup, root: Tag) -> int | None:
    """A count inside the post's footer line ("23 views · 0 comments"), never a sidebar's."""
    footers = doc.select('[data-hook="post-footer"]') + root.find_all("footer")
    footers += root.select('[class*="post-footer"], [class*="post-meta"]')
    for footer in footers:
        hook = footer.select_one('[data-hook="views-info"]')
        match = _VIEWS.search(squash((hook or footer).get_text(" ")))
        if match:
            return _view_number(match)
    return None


def _view_number(match: re.Match) -> int:
    digits, scale = match.group(1), (match.group(2) or "").lower()
    if scale:  # "1.2k": a decimal point or comma, then the scale
        return int(float(digits.replace(",", ".")) * (1000 if scale == "k" else 1_000_000))
    return int(re.sub(r"[^\d]", "", digits))


def _inside_other_content(el: Tag, root: Tag) -> bool:
    """Inside a card, sidebar or widget within the content (another post's numbers)."""
    for parent in el.parents:
        if parent is root:
            return False
        if parent.name == "article" or (is_chrome(parent) and parent.name != "footer"):
            return True
    return False


# -- finding things ------------------------------------------------------------------------


def _hook(doc: BeautifulSoup, name: str) -> Tag | None:
    return doc.find(attrs={"data-hook": name})


def _links(doc: BeautifulSoup, url: str) -> list[str]:
    out = []
    for a in doc.find_all("a", href=True):
        href = attr(a, "href")
        if href and not href.startswith(("#", "mailto:", "tel:", "javascript:")):
            target = resolve_url(url, href)
            if target:
                out.append(target)
    return list(dict.fromkeys(out))


def _is_listing(doc: BeautifulSoup) -> bool:
    """A blog index or archive: several post cards rather than one text."""
    if doc.select_one('[data-hook="post-list-item"], [data-hook="post-list"]') is not None:
        return True
    # Related-post cards in a sidebar do not make a post a listing.
    return sum(1 for a in doc.find_all("article") if not _inside_chrome(a)) > 2


def _main_content(doc: BeautifulSoup) -> Tag | None:
    """<article> (the only one), <main>, role=main, else the best-scoring container."""
    articles = [a for a in doc.find_all("article") if not _inside_chrome(a)]
    if len(articles) == 1:
        return articles[0]
    main = doc.select_one('main, [role="main"]')
    if main is not None:
        return main
    best, best_score = None, 0
    for el in doc.find_all(("div", "section", "td")):
        if is_chrome(el) or _inside_chrome(el):
            continue
        # Text in this element's own paragraphs, minus link-heavy text (menus, lists of links).
        text = sum(len(text_of(p)) for p in el.find_all("p", recursive=False))
        links = sum(len(text_of(a)) for a in el.find_all("a", recursive=False))
        score = text - links
        if score > best_score:
            best, best_score = el, score
    return best


def _inside_chrome(el: Tag) -> bool:
    return any(isinstance(parent, Tag) and is_chrome(parent) for parent in el.parents)


def _title(doc: BeautifulSoup, root: Tag) -> str:
    for el in (_hook(doc, "post-title"), root.find("h1"), doc.find("h1")):
        if el is not None and text_of(el):
            return text_of(el)
    return _meta(doc, "og:title") or _seo_title(doc, "")


def _meta(doc: BeautifulSoup, name: str) -> str:
    for el in doc.find_all("meta"):
        if name in (attr(el, "name"), attr(el, "property")):
            value = squash(attr(el, "content"))
            if value:
                return value
    return ""


def _seo_title(doc: BeautifulSoup, title: str) -> str:
    """The old <title> without its " | Site name" suffix, when it says more than the title."""
    el = doc.find("title")
    text = text_of(el) if el is not None else ""
    text = _TITLE_SUFFIX.sub("", text) if _TITLE_SUFFIX.search(text) else text
    return "" if text == title else text[:255]


def parse_date(raw: str) -> datetime.date | None:
    """A date as old sites write it: ISO 8601, "Jun 11, 2024", "3rd March 2024", "Posted on
    11/06/2024" (day first, as outside the US); None when the text is not just a date."""
    text = _ORDINAL.sub(r"\1", _DATE_LEAD.sub("", squash(raw))).strip()
    if not text or len(text) > 40:
        return None
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _kind(doc: BeautifulSoup, path: str, into: str, extractor: str) -> Kind:
    if into == "articles":
        return Kind.ARTICLE
    if into == "services":
        return Kind.SERVICE
    if extractor == "wix" or _ARTICLE_PATHS.match(path) or _meta(doc, "og:type") == "article":
        return Kind.ARTICLE
    return Kind.SERVICE


def slug_for(url: str) -> str:
    """The old URL's last path segment, as a slug."""
    segment = unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2]).lower()
    segment = segment.rsplit(".", 1)[0] if segment.endswith((".html", ".htm", ".php")) else segment
    slug = _SLUG_JUNK.sub("-", segment).strip("-")
    return re.sub(r"-{2,}", "-", slug)[:255] or "page"


def _first_sentences(blocks: list, limit: int = 300) -> str:
    for block in blocks:
        if block.kind == "paragraph":
            text = text_of(parse(block.html))
            sentences = re.split(r"(?<=[.!?])\s+", text)
            out = ""
            for sentence in sentences[:2]:
                if len(out) + len(sentence) > limit:
                    break
                out = f"{out} {sentence}".strip()
            return out or text[:limit]
    return ""
