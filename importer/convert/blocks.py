"""A content element's HTML -> body blocks (heading, rich text, image, quote) and a to-do list.

Rich text keeps what our editor supports (paragraphs, lists, links, bold, italic); headings and
images become their own blocks. What has no block (tables, embeds, forms) is kept as text or a
link and reported, never dropped silently.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import escape

from lxml.html import HtmlElement

from audit.engine.urls import resolve

from .images import alt_problem, original_image_url
from .model import Block, ImageRef

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
INLINE_MARKS = {"b": "b", "strong": "b", "i": "i", "em": "i"}
# Elements that are never content.
DROP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "button",
        "form",
        "input",
        "select",
        "textarea",
        "svg",
        "canvas",
        "link",
        "meta",
        "head",
        "aside",
        "header",
        "footer",
    }
)
# Kept as a link to what they showed, and reported: our body has no embed block.
EMBEDS = frozenset({"iframe", "embed", "object", "video", "audio"})
# The page builder's accessibility skip links and widget labels, by their whole text.
CHROME_TEXTS = frozenset(
    {
        "top of page",
        "bottom of page",
        "skip to main content",
        "skip to content",
        "back to top",
        "like",
        "share",
        "log in",
        "sign up",
        "see all",
    }
)
_CHROME_CLASS = re.compile(
    r"(^|[\s_-])(share|social|like-button|likes|comments?|related|recent|popular|sidebar|"
    r"breadcrumbs?|skip|cookie|newsletter|post-footer|tags)($|[\s_-])",
    re.I,
)
_COUNTS = re.compile(r"^\s*\d[\d,.]*\s*(views?|comments?|likes?)\s*$", re.I)
_SPACE = re.compile(r"\s+")
MAX_HEADING = 120  # HeadingBlock's max_length


def squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def is_chrome(el: HtmlElement) -> bool:
    """Navigation, widgets and builder furniture inside a content element."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in DROP:
        return True
    if el.get("aria-hidden") == "true" or el.get("hidden") is not None:
        return True
    if el.get("role") in ("navigation", "banner", "contentinfo", "complementary"):
        return True
    marks = f"{el.get('class', '')} {el.get('id', '')} {el.get('data-hook', '')}"
    if _CHROME_CLASS.search(marks):
        return True
    # Only small elements: a container's whole text is never a widget label.
    small = tag in ("a", "span", "p", "li") or (tag == "div" and len(el) <= 1)
    text = squash(el.text_content()).lower() if small else ""
    return text in CHROME_TEXTS or bool(text and _COUNTS.match(text))


@dataclass
class BodyConverter:
    """Walks one content element; ``blocks`` and ``problems`` are the result."""

    base_url: str
    blocks: list[Block] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _rich: list[str] = field(default_factory=list)  # rich text waiting for the next block
    _last_level: int = 0
    _shift: int = 0
    _images: int = 0

    def convert(self, root: HtmlElement) -> None:
        levels = [HEADINGS[h.tag] for h in root.iter(*HEADINGS) if squash(h.text_content())]
        # An h1 in the body becomes h2 (the title is the page's h1), the rest move with it.
        self._shift = 1 if levels and min(levels) == 1 else 0
        self._children(root)
        self._flush()

    # -- walking ---------------------------------------------------------------------------

    def _children(self, el: HtmlElement) -> None:
        if el.text and el.text.strip():
            self._rich.append(f"<p>{escape(squash(el.text))}</p>")
        for child in el:
            if isinstance(child.tag, str):
                self._element(child)
            if child.tail and child.tail.strip():
                self._rich.append(f"<p>{escape(squash(child.tail))}</p>")

    def _element(self, el: HtmlElement) -> None:
        tag = el.tag
        if is_chrome(el):
            return
        if tag in HEADINGS:
            self._heading(el)
        elif tag in ("p",):
            self._paragraph(el)
        elif tag in ("ul", "ol"):
            self._list(el)
        elif tag == "blockquote":
            self._quote(el)
        elif tag == "img" or tag == "wow-image":
            self._image(el, el)
        elif tag == "figure" or el.get("data-hook") == "figure-IMAGE":
            self._figure(el)
        elif tag == "table":
            self._table(el)
        elif tag in EMBEDS:
            self._embed(el)
        elif tag == "pre":
            text = escape(el.text_content().strip())
            if text:
                self._rich.append(f"<p>{text}</p>")
        elif tag in ("hr", "br", "time"):  # a date line is the page's date, read elsewhere
            return
        else:  # div, section, span and friends: containers
            if el.find(".//img") is None and el.find(".//p") is None and _is_inline_only(el):
                html = self._inline(el)
                if html.strip():
                    self._rich.append(f"<p>{html}</p>")
            else:
                self._children(el)

    # -- blocks ----------------------------------------------------------------------------

    def _flush(self) -> None:
        if self._rich:
            self.blocks.append(Block("paragraph", html="".join(self._rich)))
            self._rich = []

    def _heading(self, el: HtmlElement) -> None:
        text = squash(el.text_content())
        if not text:
            return
        old = HEADINGS[el.tag]
        level = old + self._shift
        if level > 4:
            self.problems.append(
                f"heading {text!r} (h{old} on the old page) would be h{level} here; bodies go "
                "down to h4, so it became h4"
            )
            level = 4
        expected = self._last_level + 1 if self._last_level else 2
        if level > expected:
            was = f"h{self._last_level}" if self._last_level else "the title"
            self.problems.append(
                f"heading levels skip from {was} to h{level} at {text!r}: fix the outline"
            )
        self._last_level = level
        if len(text) > MAX_HEADING:
            self.problems.append(f"heading {text[:40]!r}… is longer than {MAX_HEADING} characters")
            text = text[:MAX_HEADING]
        self._flush()
        self.blocks.append(Block("heading", text=text, level=f"h{level}"))

    def _paragraph(self, el: HtmlElement) -> None:
        if el.find(".//img") is not None or el.find(".//iframe") is not None:
            self._children(el)  # a builder's paragraph wrapping a picture
            return
        html = self._inline(el)
        if html.strip():
            self._rich.append(f"<p>{html}</p>")

    def _list(self, el: HtmlElement) -> None:
        items = []
        for li in el.iterchildren("li"):
            html = self._inline(li)
            if html.strip():
                items.append(f"<li>{html}</li>")
        if items:
            self._rich.append(f"<{el.tag}>{''.join(items)}</{el.tag}>")

    def _quote(self, el: HtmlElement) -> None:
        cite = el.find(".//cite")
        attribution = squash(cite.text_content()) if cite is not None else ""
        if cite is not None:
            cite.drop_tree()
        text = squash(el.text_content())
        if text:
            self._flush()
            self.blocks.append(Block("quote", text=text, attribution=attribution[:120]))

    def _figure(self, el: HtmlElement) -> None:
        caption_el = el.find(".//figcaption")
        caption = squash(caption_el.text_content()) if caption_el is not None else ""
        img = el.find(".//img")
        if img is None:
            self._children(el)
            return
        self._image(img, el, caption)

    def _image(self, img: HtmlElement, holder: HtmlElement, caption: str = "") -> None:
        if img.tag == "wow-image":
            inner = img.find(".//img")
            img, holder = (inner, img) if inner is not None else (img, img)
        src, info_alt = _image_source(img, holder)
        url = resolve(self.base_url, src) if src else None
        if not url:
            self.problems.append("an image without a usable address was left out")
            return
        url = original_image_url(url)
        self._images += 1
        old_alt = squash(img.get("alt") or info_alt)
        problem = alt_problem(old_alt, url)
        if problem:
            self.problems.append(
                f"image {self._images} ({url.rpartition('/')[2]}) {problem}: write alt text "
                "or mark it decorative before publishing"
            )
        ref = ImageRef(src=url, alt="" if problem else old_alt[:255], caption=caption[:250])
        self._flush()
        self.blocks.append(Block("image", image=ref))

    def _table(self, el: HtmlElement) -> None:
        rows = []
        for tr in el.iter("tr"):
            cells = [escape(squash(c.text_content())) for c in tr if c.tag in ("td", "th")]
            if any(cells):
                rows.append(" · ".join(cells))
        if rows:
            self._rich.append("".join(f"<p>{row}</p>" for row in rows))
            self.problems.append(
                f"a table ({len(rows)} rows) was kept as one paragraph per row: check its layout"
            )

    def _embed(self, el: HtmlElement) -> None:
        src = el.get("src") or el.get("data") or ""
        if not src:
            source = el.find(".//source")
            src = source.get("src", "") if source is not None else ""
        url = resolve(self.base_url, src) if src else None
        if url:
            self._rich.append(f'<p><a href="{escape(url)}">{escape(url)}</a></p>')
        self.problems.append(
            f"an embedded {el.tag} ({url or 'no address'}) has no block here; it was kept as a "
            "link: embed it again or remove the link"
        )

    # -- rich text -------------------------------------------------------------------------

    def _inline(self, el: HtmlElement) -> str:
        """The element's content as our rich text's inline HTML: text, links, bold, italic."""
        out = [escape(el.text or "")]
        for child in el:
            if isinstance(child.tag, str) and not is_chrome(child):
                out.append(self._inline_element(child))
            out.append(escape(child.tail or ""))
        return _SPACE.sub(" ", "".join(out)).strip()

    def _inline_element(self, el: HtmlElement) -> str:
        inner = self._inline(el)
        if el.tag == "br":
            return "<br/>"
        if el.tag in INLINE_MARKS and inner.strip():
            mark = INLINE_MARKS[el.tag]
            return f"<{mark}>{inner}</{mark}>"
        if el.tag == "a":
            href = resolve(self.base_url, el.get("href") or "")
            if href and inner.strip():
                return f'<a href="{escape(href)}">{inner}</a>'
            if el.get("href", "").startswith("mailto:") and inner.strip():
                return f'<a href="{escape(el.get("href"))}">{inner}</a>'
        if el.tag == "img":
            self.problems.append("an image inside a line of text was left out: add it by hand")
            return ""
        return inner


def _is_inline_only(el: HtmlElement) -> bool:
    block_tags = {
        "div",
        "section",
        "article",
        "p",
        "ul",
        "ol",
        "table",
        "blockquote",
        "figure",
        "pre",
        "wow-image",
        *HEADINGS,
        *EMBEDS,
    }
    return not any(isinstance(d.tag, str) and d.tag in block_tags for d in el.iterdescendants())


def _image_source(img: HtmlElement, holder: HtmlElement) -> tuple[str, str]:
    """(src, alt from the builder's data) of an <img>, preferring the builder's own record."""
    info_alt = ""
    raw = holder.get("data-image-info") or img.get("data-image-info")
    if raw:
        try:
            info = json.loads(raw)
            data = info.get("imageData", info) if isinstance(info, dict) else {}
            info_alt = str(data.get("alt") or "")
        except ValueError:
            pass
    src = img.get("src") or img.get("data-src") or ""
    if src.startswith("data:") or not src:
        srcset = img.get("srcset") or img.get("data-srcset") or ""
        src = srcset.split(",")[0].split()[0] if srcset.strip() else ""
    return src, info_alt
