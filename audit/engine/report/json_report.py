"""The JSON report; its shape is documented in docs/audit-report-schema.md."""

from __future__ import annotations

import json
from typing import Any

from ..checks import check_info
from ..results import AuditResult
from ..version import __version__

# Bump the major number on any change that can break a reader; minor for additions.
SCHEMA_VERSION = "1.3"


def to_dict(result: AuditResult, *, with_pages: bool = True) -> dict[str, Any]:
    used = {f.check for _, f in result.findings()}
    return {
        "schema_version": SCHEMA_VERSION,
        "engine_version": __version__,
        "start_url": result.start_url,
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "settings": result.settings,
        "stats": result.stats,
        "checks": {
            check_id: {"severity": check.severity, "title": check.title, "fix": check.fix}
            for check_id in sorted(used)
            if (check := check_info(check_id)) is not None  # axe/<rule> too (its family)
        },
        **({"pages": [page.as_dict() for page in result.pages]} if with_pages else {}),
    }


def render_json(result: AuditResult) -> str:
    """The document of ``to_dict(result)``: the head indented, then one page per line.

    Built page by page so a 10,000-page report never exists twice in memory (as dicts and
    as text). A page per line keeps the file easy to grep and diff, and lets json use its
    C encoder (any ``indent`` falls back to the pure-Python one, ~5x slower).
    """
    head = to_dict(result, with_pages=False)
    text = json.dumps(head, indent=2, ensure_ascii=False)
    if not result.pages:
        return text[:-2] + ',\n  "pages": []\n}\n'
    encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    pages = ",\n".join("    " + encode(page.as_dict()) for page in result.pages)
    return f'{text[:-2]},\n  "pages": [\n{pages}\n  ]\n}}\n'
