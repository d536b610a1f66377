"""Report writers: JSON (versioned), CSV, standalone HTML and a terminal summary."""

from __future__ import annotations

from ..results import AuditResult
from .csv_report import render_csv
from .html_report import render_html
from .json_report import SCHEMA_VERSION, render_json, to_dict
from .text_report import render_text

FORMATS = {"json": render_json, "csv": render_csv, "html": render_html, "text": render_text}


def render(result: AuditResult, fmt: str) -> str:
    try:
        return FORMATS[fmt](result)
    except KeyError:
        raise ValueError(
            f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}"
        ) from None


__all__ = [
    "FORMATS",
    "SCHEMA_VERSION",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "render_text",
    "to_dict",
]
