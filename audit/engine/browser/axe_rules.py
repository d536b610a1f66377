"""axe-core's rules as report entries: the title and fix hint of an ``axe/<rule>`` finding.

Read from the vendored axe-core itself (its English rule texts: ``help`` and ``description``,
and the rule's impact), so they always match the version that ran. Where a rule is about
content an editor writes or chooses (alt text, link text, headings, colours), the fix hint
is ours, in the editor's words; for the others it is axe's description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_AXE_FILE = Path(__file__).parent / "vendor" / "axe.min.js"
# a JavaScript string literal in double or single quotes
_STRING = r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
# The English locale: "image-alt":{description:"...",help:"..."} (rules only; checks have
# messages instead).
_RULE_TEXT = re.compile(r'"?([a-z0-9-]+)"?:\{description:' + _STRING + r",help:" + _STRING + r"\}")
# A rule's definition: {id:"image-alt",impact:"critical",...}
_RULE_IMPACT = re.compile(r'\{id:"([a-z0-9-]+)",(?:[a-zA-Z]+:[^,]*,)*?impact:"(\w+)"')

# Rules about what editors write or choose: the fix in their words.
EDITOR_FIX = {
    "image-alt": "Describe the picture in its alt text (the image's settings in the editor), "
    "or mark it decorative if it adds nothing to the text",
    "role-img-alt": "Give the image a text alternative that says what it shows",
    "svg-img-alt": "Give the SVG image a title or label that says what it shows",
    "input-image-alt": "Give the image button alt text that says what it does",
    "area-alt": "Give every clickable area of the image map alt text",
    "link-name": "Give the link words that say where it goes (an icon or image link needs "
    "alt text)",
    "button-name": "Give the button words that say what it does",
    "empty-heading": "Write the heading's text, or remove the empty heading",
    "heading-order": "Use heading levels in order: after a level 2 heading comes level 3, "
    "not level 4",
    "page-has-heading-one": "Give the page one main heading (h1)",
    "p-as-heading": "Use a heading instead of bold or large paragraph text",
    "color-contrast": "Choose darker text or a lighter background (4.5:1 for body text, 3:1 "
    "for large text), in the light and in the dark theme",
    "color-contrast-enhanced": "For AAA, make the contrast 7:1 (4.5:1 for large text)",
    "link-in-text-block": "Underline links in running text, or give them 3:1 contrast with "
    "the text around them",
    "document-title": "Give the page a title",
    "frame-title": "Give the embedded frame (video, map, form) a title that says what it is",
    "video-caption": "Add captions to the video",
    "label": "Give every form field a visible label",
    "select-name": "Give the drop-down list a label",
    "list": "Put only list items directly in a list (no text or blocks between them)",
    "listitem": "Put list items inside a list",
    "table-fake-caption": "Use the table's caption for its title, not a first row",
    "td-has-header": "Give the large table header cells",
    "th-has-data-cells": "Remove header cells that head no data, or fill in the data",
}


@dataclass(frozen=True)
class AxeRule:
    id: str
    help: str  # what must hold, as a title: "Images must have alternative text"
    description: str  # "Ensure <img> elements have alternative text or ..."
    impact: str | None  # axe's default impact of a violation, if the rule states one

    @property
    def fix(self) -> str:
        return EDITOR_FIX.get(self.id) or _unescape(self.description)


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\'", "'").replace("\\\\", "\\")


@cache
def axe_rules() -> dict[str, AxeRule]:
    """Every rule of the vendored axe-core, by id (read once)."""
    source = _AXE_FILE.read_text(encoding="utf-8")
    impacts = dict(_RULE_IMPACT.findall(source))
    return {
        rule_id: AxeRule(
            rule_id, _unescape(help_d or help_s), _unescape(desc_d or desc_s), impacts.get(rule_id)
        )
        for rule_id, desc_d, desc_s, help_d, help_s in _RULE_TEXT.findall(source)
    }
