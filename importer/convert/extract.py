"""One fetched page -> ConvertedPage or Skipped: find the content, drop the chrome.

Wix's server-rendered posts are read through their ``data-hook`` markers (post-title,
time-ago, post-description, figure-IMAGE, post-footer); any other page through its landmarks
(<article>, <main>, role=main) or, failing those, the element holding most of the page's
paragraph text.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml.etree import ParserError
from lxml.html import HtmlElement

from audit.engine.urls import resolve

from .blocks import BodyConverter, is_chrome, squash
from .model import ConvertedPage, Kind, Skipped

MIN_WORDS = 40  # less than this in the content element is not a page worth importing
_VIEWS = re.compile(r"(\d[\d,.]*)\s*(k)?\s*views?(?![a-z])", re.I)
_ARTICLE_PATHS = re.compile(r"^/(post|posts|blog|articles?|news)/[^/]+", re.I)
_TITLE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]+$")
_DATE_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d", "%d/%m/%Y")
_SLUG_JUNK = re.compile(r"[^\w-]+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


class NotHTML(ValueError):
    """The body could not be parsed as an HTML document at all."""


def convert_page(
    html: str, url: str, *, into: str = "auto", today: datetime.date | None = None
) -> tuple[ConvertedPage | Skipped, list[str]]:
    """(the page or why it was skipped, every link on the page for the crawl)."""
    # lxml refuses text that still declares a byte encoding (XHTML's <?xml …?>): drop it.
    html = _XML_DECLARATION.sub("", html, count=1)
    try:
        doc = lxml.html.document_fromstring(html)
    except (ParserError, ValueError) as exc:
        raise NotHTML(f"{url}: the page is not readable HTML ({exc})") from None
    links = _links(doc, url)
    path = urlsplit(url).path
    wix_body = _hook(doc, "post-description")
    if wix_body is not None:
        root, extractor = wix_body, "wix"
    else:
        if path in ("", "/"):
            return Skipped(url, "the old site's home page (this CMS has its own)"), links
        if _is_listing(doc):
            return Skipped(url, "a listing of other pages"), links
        root, extractor = _main_content(doc), "generic"
    if root is None:
        return Skipped(url, "no recognisable content"), links
    title = _title(doc, root)
    converter = BodyConverter(url)
    body_root = _without_title(root, title)
    converter.convert(body_root)
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
        date=_date(doc),
        author=_author(doc),
        seo_title=_seo_title(doc, title),
        description=_meta(doc, "description")[:300],
        views=_views(doc, root, extractor),
        problems=converter.problems,
        extractor=extractor,
    )
    page.introduction = page.description or _first_sentences(converter.blocks)
    if page.kind is Kind.ARTICLE and page.date is None:
        page.problems.append("no publication date was found: set the article date")
    if page.kind is Kind.ARTICLE and not page.author:
        page.problems.append("no author was found: set the article's author")
    return page, links


# -- finding things ------------------------------------------------------------------------


def _hook(doc: HtmlElement, name: str) -> HtmlElement | None:
    found = doc.xpath(f'//*[@data-hook="{name}"]')
    return found[0] if found else None


def _links(doc: HtmlElement, url: str) -> list[str]:
    out = []
    for a in doc.iter("a"):
        href = a.get("href")
        if href and not href.startswith(("#", "mailto:", "tel:", "javascript:")):
            target = resolve(url, href)
            if target:
                out.append(target)
    return list(dict.fromkeys(out))


def _is_listing(doc: HtmlElement) -> bool:
    """A blog index or archive: several post cards rather than one text."""
    if len(doc.xpath('//*[@data-hook="post-list-item" or @data-hook="post-list"]')) > 0:
        return True
    # Related-post cards in a sidebar do not make a post a listing.
    return sum(1 for a in doc.iter("article") if not _inside_chrome(a)) > 2


def _main_content(doc: HtmlElement) -> HtmlElement | None:
    """<article> (the only one), <main>, role=main, else the best-scoring container."""
    articles = [a for a in doc.iter("article") if not _inside_chrome(a)]
    if len(articles) == 1:
        return articles[0]
    for candidate in doc.xpath('//main | //*[@role="main"]'):
        return candidate
    best, best_score = None, 0
    for el in doc.iter("div", "section", "td"):
        if is_chrome(el) or _inside_chrome(el):
            continue
        # Text in this element's own paragraphs, minus link-heavy text (menus, lists of links).
        text = sum(len(squash(p.text_content())) for p in el.iterchildren("p"))
        links = sum(len(squash(a.text_content())) for a in el.iterchildren("a"))
        score = text - links
        if score > best_score:
            best, best_score = el, score
    return best


def _inside_chrome(el: HtmlElement) -> bool:
    return any(is_chrome(parent) for parent in el.iterancestors())


def _title(doc: HtmlElement, root: HtmlElement) -> str:
    for el in (_hook(doc, "post-title"), root.find(".//h1"), doc.find(".//h1")):
        if el is not None and squash(el.text_content()):
            return squash(el.text_content())
    return _meta(doc, "og:title") or _seo_title(doc, "")


def _without_title(root: HtmlElement, title: str) -> HtmlElement:
    """The content element without the heading that repeats the page title."""
    for h1 in root.iter("h1"):
        if squash(h1.text_content()) == title:
            copy = lxml.html.fromstring(lxml.html.tostring(root))
            for dup in copy.iter("h1"):
                if squash(dup.text_content()) == title:
                    dup.drop_tree()
                    break
            return copy
    return root


def _meta(doc: HtmlElement, name: str) -> str:
    for el in doc.xpath(f'//meta[@name="{name}" or @property="{name}"]'):
        value = squash(el.get("content") or "")
        if value:
            return value
    return ""


def _seo_title(doc: HtmlElement, title: str) -> str:
    """The old <title> without its " | Site name" suffix, when it says more than the title."""
    el = doc.find(".//title")
    text = squash(el.text_content()) if el is not None else ""
    text = _TITLE_SUFFIX.sub("", text) if _TITLE_SUFFIX.search(text) else text
    return "" if text == title else text[:255]


def _date(doc: HtmlElement) -> datetime.date | None:
    candidates = []
    hook = _hook(doc, "time-ago")
    if hook is not None:
        candidates += [hook.get("title") or "", hook.text_content()]
    candidates.append(_meta(doc, "article:published_time"))
    candidates += [t.get("datetime") or t.text_content() for t in doc.iter("time")]
    for raw in candidates:
        found = parse_date(raw)
        if found:
            return found
    return None


def parse_date(raw: str) -> datetime.date | None:
    text = squash(raw)
    if not text:
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


def _author(doc: HtmlElement) -> str:
    for el in (_hook(doc, "user-name"), *doc.xpath('//*[@rel="author"]')):
        if el is not None and squash(el.text_content()):
            return squash(el.text_content())[:120]
    return _meta(doc, "author")[:120]


def _views(doc: HtmlElement, root: HtmlElement, extractor: str) -> int | None:
    """The page's own view count, from its post footer (never a sidebar's or a list's)."""
    if extractor == "wix":
        footers = doc.xpath('//*[@data-hook="post-footer"]')
    else:
        footers = [f for f in root.iter("footer")] + root.xpath(
            './/*[contains(@class, "post-footer") or contains(@class, "post-meta")]'
        )
    for footer in footers:
        hook = footer.xpath('.//*[@data-hook="views-info"]')
        text = squash((hook[0] if hook else footer).text_content())
        match = _VIEWS.search(text)
        if match:
            number = float(match.group(1).replace(",", ""))
            return int(number * 1000) if match.group(2) else int(number)
    return None


def _kind(doc: HtmlElement, path: str, into: str, extractor: str) -> Kind:
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
            text = squash(lxml.html.fromstring(block.html).text_content())
            sentences = re.split(r"(?<=[.!?])\s+", text)
            out = ""
            for sentence in sentences[:2]:
                if len(out) + len(sentence) > limit:
                    break
                out = f"{out} {sentence}".strip()
            return out or text[:limit]
    return ""
