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

from bs4 import Tag

from audit.engine import resolve_url

from .images import alt_problem, original_image_url
from .model import Block, ImageRef
from .soup import attr, elements, is_text, squash, text_of

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
MAX_HEADING = 120  # HeadingBlock's max_length


def is_chrome(el: Tag) -> bool:
    """Navigation, widgets and builder furniture inside a content element."""
    tag = el.name
    if tag in DROP:
        return True
    if el.get("aria-hidden") == "true" or el.get("hidden") is not None:
        return True
    if el.get("role") in ("navigation", "banner", "contentinfo", "complementary"):
        return True
    marks = f"{attr(el, 'class')} {attr(el, 'id')} {attr(el, 'data-hook')}"
    if _CHROME_CLASS.search(marks):
        return True
    # Only small elements: a container's whole text is never a widget label.
    small = tag in ("a", "span", "p", "li") or (tag == "div" and sum(1 for _ in elements(el)) <= 1)
    text = text_of(el).lower() if small else ""
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
    # Elements the page's metadata came from (a byline, a date line): not body text.
    skip: set[int] = field(default_factory=set)

    def convert(self, root: Tag) -> None:
        levels = [
            HEADINGS[h.name]
            for h in root.find_all(list(HEADINGS))
            if id(h) not in self.skip and text_of(h)
        ]
        # An h1 in the body becomes h2 (the title is the page's h1), the rest move with it.
        self._shift = 1 if levels and min(levels) == 1 else 0
        self._children(root)
        self._flush()

    # -- walking ---------------------------------------------------------------------------

    def _children(self, el: Tag) -> None:
        for child in el.children:
            if isinstance(child, Tag):
                self._element(child)
            elif is_text(child) and child.strip():
                self._rich.append(f"<p>{escape(squash(child))}</p>")

    def _element(self, el: Tag) -> None:
        tag = el.name
        if id(el) in self.skip or is_chrome(el):
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
            text = escape(el.get_text().strip())
            if text:
                self._rich.append(f"<p>{text}</p>")
        elif tag in ("hr", "br", "time"):  # a date line is the page's date, read elsewhere
            return
        else:  # div, section, span and friends: containers
            if el.find("img") is None and el.find("p") is None and _is_inline_only(el):
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

    def _heading(self, el: Tag) -> None:
        text = text_of(el)
        if not text:
            return
        old = HEADINGS[el.name]
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

    def _paragraph(self, el: Tag) -> None:
        if el.find("img") is not None or el.find("iframe") is not None:
            self._children(el)  # a builder's paragraph wrapping a picture
            return
        html = self._inline(el)
        if html.strip():
            self._rich.append(f"<p>{html}</p>")

    def _list(self, el: Tag) -> None:
        items = []
        for li in el.find_all("li", recursive=False):
            html = self._inline(li)
            if html.strip():
                items.append(f"<li>{html}</li>")
        if items:
            self._rich.append(f"<{el.name}>{''.join(items)}</{el.name}>")

    def _quote(self, el: Tag) -> None:
        cite = el.find("cite")
        attribution = text_of(cite) if cite is not None else ""
        if cite is not None:
            cite.extract()
        text = text_of(el)
        if text:
            self._flush()
            self.blocks.append(Block("quote", text=text, attribution=attribution[:120]))

    def _figure(self, el: Tag) -> None:
        caption_el = el.find("figcaption")
        caption = text_of(caption_el) if caption_el is not None else ""
        img = el.find("img")
        if img is None:
            self._children(el)
            return
        self._image(img, el, caption)

    def _image(self, img: Tag, holder: Tag, caption: str = "") -> None:
        if img.name == "wow-image":
            inner = img.find("img")
            img, holder = (inner, img) if inner is not None else (img, img)
        src, info_alt = _image_source(img, holder)
        url = resolve_url(self.base_url, src) if src else None
        if not url:
            self.problems.append("an image without a usable address was left out")
            return
        url = original_image_url(url)
        self._images += 1
        old_alt = squash(attr(img, "alt") or info_alt)
        problem = alt_problem(old_alt, url)
        if problem:
            self.problems.append(
                f"image {self._images} ({url.rpartition('/')[2]}) {problem}: write alt text "
                "or mark it decorative before publishing"
            )
        ref = ImageRef(src=url, alt="" if problem else old_alt[:255], caption=caption[:250])
        self._flush()
        self.blocks.append(Block("image", image=ref))

    def _table(self, el: Tag) -> None:
        rows = []
        for tr in el.find_all("tr"):
            cells = [escape(text_of(c)) for c in elements(tr) if c.name in ("td", "th")]
            if any(cells):
                rows.append(" · ".join(cells))
        if rows:
            self._rich.append("".join(f"<p>{row}</p>" for row in rows))
            self.problems.append(
                f"a table ({len(rows)} rows) was kept as one paragraph per row: check its layout"
            )

    def _embed(self, el: Tag) -> None:
        src = attr(el, "src") or attr(el, "data")
        if not src:
            source = el.find("source")
            src = attr(source, "src") if source is not None else ""
        url = resolve_url(self.base_url, src) if src else None
        if url:
            self._rich.append(f'<p><a href="{escape(url)}">{escape(url)}</a></p>')
        self.problems.append(
            f"an embedded {el.name} ({url or 'no address'}) has no block here; it was kept as a "
            "link: embed it again or remove the link"
        )

    # -- rich text -------------------------------------------------------------------------

    def _inline(self, el: Tag) -> str:
        """The element's content as our rich text's inline HTML: text, links, bold, italic."""
        out = []
        for child in el.children:
            if isinstance(child, Tag):
                if id(child) not in self.skip and not is_chrome(child):
                    out.append(self._inline_element(child))
            elif is_text(child):
                out.append(escape(child))
        return squash("".join(out))

    def _inline_element(self, el: Tag) -> str:
        inner = self._inline(el)
        if el.name == "br":
            return "<br/>"
        if el.name in INLINE_MARKS and inner.strip():
            mark = INLINE_MARKS[el.name]
            return f"<{mark}>{inner}</{mark}>"
        if el.name == "a":
            href = attr(el, "href")
            target = resolve_url(self.base_url, href)
            if target and inner.strip():
                return f'<a href="{escape(target)}">{inner}</a>'
            if href.startswith("mailto:") and inner.strip():
                return f'<a href="{escape(href)}">{inner}</a>'
        if el.name == "img":
            self.problems.append("an image inside a line of text was left out: add it by hand")
            return ""
        return inner


def _is_inline_only(el: Tag) -> bool:
    block_tags = [
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
    ]
    return el.find(block_tags) is None


def _image_source(img: Tag, holder: Tag) -> tuple[str, str]:
    """(src, alt from the builder's data) of an <img>, preferring the builder's own record."""
    info_alt = ""
    raw = attr(holder, "data-image-info") or attr(img, "data-image-info")
    if raw:
        try:
            info = json.loads(raw)
            data = info.get("imageData", info) if isinstance(info, dict) else {}
            info_alt = str(data.get("alt") or "")
        except ValueError:
            pass
    src = attr(img, "src") or attr(img, "data-src")
    if src.startswith("data:") or not src:
        srcset = attr(img, "srcset") or attr(img, "data-srcset")
        src = srcset.split(",")[0].split()[0] if srcset.strip() else ""
    return src, info_alt
